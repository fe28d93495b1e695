// SMS emitted in manual mode and not yet acknowledged by the flow.
//
// A 200 answer carries no `next`, and the server may count that block as acknowledged on
// delivery (docs/thingspace-api.md, "Open questions" 2); a read without `next` may count a delivered
// block as consumed (docs/thingspace-api.md, "Open questions" 1). Either way the flow may be the only holder of these
// SMS. Keeping them here, in node context, until they come back acknowledged, lets the node
// emit them again after a restart, so manual mode stays at-least-once end to end.
//
// Like the dedupe window, the persisted form is the live plain-JSON object, keyed by
// dedupe key: adding or removing one SMS is O(1) and a save hands over a reference.
import type { SmsMessage } from '../types';

/** Plain JSON, persisted as is. */
export interface PendingData {
  v: 1;
  /** dedupe key -> SMS. Identical SMS share a key and are kept once. */
  sms: Record<string, SmsMessage>;
}

export class PendingStore {
  readonly data: PendingData;
  private count: number;

  constructor(saved?: unknown) {
    // A copy: after a redeploy the predecessor's object may still be referenced, and each
    // consumer must be the only writer of its own state.
    this.data = { v: 1, sms: isPendingData(saved) ? { ...saved.sms } : {} };
    this.count = Object.keys(this.data.sms).length;
  }

  get size(): number {
    return this.count;
  }

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.data.sms, key);
  }

  add(key: string, sms: SmsMessage): void {
    if (!Object.prototype.hasOwnProperty.call(this.data.sms, key)) this.count++;
    this.data.sms[key] = sms;
  }

  /** True if the key was pending. */
  delete(key: string): boolean {
    if (!Object.prototype.hasOwnProperty.call(this.data.sms, key)) return false;
    delete this.data.sms[key];
    this.count--;
    return true;
  }

  /** Everything pending, as [key, sms] pairs, in the order kept. */
  entries(): Array<[string, SmsMessage]> {
    return Object.entries(this.data.sms);
  }
}

function isPendingData(x: unknown): x is PendingData {
  if (typeof x !== 'object' || x === null) return false;
  const d = x as Partial<PendingData>;
  return d.v === 1 && typeof d.sms === 'object' && d.sms !== null && !Array.isArray(d.sms);
}

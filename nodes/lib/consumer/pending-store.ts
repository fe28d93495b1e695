// SMS the flow may be the only holder of (emitted in manual mode, or from a final block), kept in the
// store until acknowledged. The live plain-JSON object is what is saved: O(1) per SMS, a reference per save.
import type { SmsMessage } from '../types';

/** Plain JSON, persisted as is. */
export interface PendingData {
  v: 1;
  /** dedupe key -> SMS. Identical SMS share a key and are kept once. */
  sms: Record<string, SmsMessage>;
}

export class PendingStore {
  readonly data: PendingData;

  constructor(saved?: unknown) {
    // A copy: a predecessor (redeploy) may still hold the object, and each consumer must be the only writer of its state.
    this.data = { v: 1, sms: isPendingData(saved) ? { ...saved.sms } : {} };
  }

  has(key: string): boolean {
    return Object.hasOwn(this.data.sms, key);
  }

  add(key: string, sms: SmsMessage): void {
    this.data.sms[key] = sms;
  }

  delete(key: string): void {
    delete this.data.sms[key];
  }

  /** [key, sms] pairs, in the order kept. */
  entries(): Array<[string, SmsMessage]> {
    return Object.entries(this.data.sms);
  }
}

function isPendingData(x: unknown): x is PendingData {
  if (typeof x !== 'object' || x === null) return false;
  const d = x as Partial<PendingData>;
  return d.v === 1 && typeof d.sms === 'object' && d.sms !== null && !Array.isArray(d.sms);
}

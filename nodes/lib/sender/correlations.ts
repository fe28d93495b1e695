// Sends awaiting their delivery outcome, by requestId, and the notices seen lately (a repeat ends a send once).
// Bounded: an evicted or expired send is handed back so its owner can say no outcome came. Plain data for node context.
// Also the messages of sms-out's second output (docs/sending.md): kept properties come back at the top level.
import type { DeviceId } from '../types';
import type { DeliveryNotice } from '../message/delivery-notice';

export interface PendingSend {
  requestId: string;
  /** When ThingSpace accepted it (ms since the epoch). */
  sentAt: number;
  /** The properties of the original message the flow keeps (JSON values). */
  kept: Record<string, unknown>;
  /** `kind:id` of each device it went to; empty for a group, service plan or custom fields. */
  devices: string[];
  done: string[];
}

export interface BookState {
  v: 1;
  pending: PendingSend[];
  /** Notice keys seen, with when (ms). */
  seen: Array<[string, number]>;
}

function deviceKey(d: DeviceId): string {
  return `${d.kind.toLowerCase()}:${d.id}`;
}

function fromDeviceKey(key: string): DeviceId {
  const cut = key.indexOf(':');
  return { kind: key.slice(0, cut), id: key.slice(cut + 1) };
}

function noticeKey(n: DeliveryNotice): string {
  return `${n.requestId}|${n.deviceIds.map(deviceKey).sort().join(',')}|${n.status}`;
}

function dropOldest<V>(map: Map<string, V>, drop: (value: V) => boolean): V[] {
  const dropped: V[] = [];
  for (const [key, value] of map) {
    if (!drop(value)) break;
    map.delete(key);
    dropped.push(value);
  }
  return dropped;
}

export class CorrelationBook {
  /** Insertion order is send order: the first entry is the oldest. */
  private readonly pending = new Map<string, PendingSend>();
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly opts: { maxPending: number; maxAgeMs: number },
    private readonly now = Date.now,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  owns(notice: DeliveryNotice): boolean {
    return this.pending.has(notice.requestId) || this.seen.has(noticeKey(notice));
  }

  /** Remembers an accepted send; returns the sends evicted to stay within maxPending. */
  add(requestId: string, kept: Record<string, unknown>, deviceIds: DeviceId[] | undefined): PendingSend[] {
    this.pending.set(requestId, { requestId, sentAt: this.now(), kept, devices: (deviceIds ?? []).map(deviceKey), done: [] });
    return dropOldest(this.pending, () => this.pending.size > this.opts.maxPending);
  }

  /** `duplicate`: the same notice came before, nothing to emit; `unknown`: no send of ours has its requestId. */
  settle(notice: DeliveryNotice) {
    const key = noticeKey(notice);
    if (this.seen.has(key)) return { kind: 'duplicate' as const };
    this.seen.set(key, this.now());
    // Twice the sends: a send has a few notices at most, and a repeat comes soon after.
    dropOldest(this.seen, () => this.seen.size > this.opts.maxPending * 2);
    const send = this.pending.get(notice.requestId);
    if (!send) return { kind: 'unknown' as const };
    const device = this.deviceOf(send, notice);
    const k = device && notice.final ? deviceKey(device) : undefined;
    if (k !== undefined && send.devices.includes(k) && !send.done.includes(k)) send.done.push(k);
    // Every device of the send has its final outcome: the send is forgotten.
    if (send.devices.length > 0 && send.done.length >= send.devices.length) this.pending.delete(send.requestId);
    return { kind: 'correlated' as const, send, device };
  }

  /** Sends older than maxAgeMs, removed; and seen notices as old, forgotten. */
  expire(): PendingSend[] {
    const cutoff = this.now() - this.opts.maxAgeMs;
    dropOldest(this.seen, (at) => at <= cutoff);
    return dropOldest(this.pending, (send) => send.sentAt <= cutoff);
  }

  snapshot(): BookState {
    return { v: 1, pending: [...this.pending.values()], seen: [...this.seen] };
  }

  /** Takes back a snapshot; anything unreadable in it is skipped, never thrown. */
  restore(state: unknown): void {
    const s = state as Partial<BookState> | undefined;
    if (!s || s.v !== 1) return;
    for (const p of Array.isArray(s.pending) ? s.pending : []) {
      if (p && typeof p.requestId === 'string' && typeof p.sentAt === 'number' && Array.isArray(p.devices) && Array.isArray(p.done)) {
        this.pending.set(p.requestId, { requestId: p.requestId, sentAt: p.sentAt, kept: p.kept ?? {}, devices: p.devices, done: p.done });
      }
    }
    for (const e of Array.isArray(s.seen) ? s.seen : []) {
      if (Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number') this.seen.set(e[0], e[1]);
    }
  }

  /** The device of the send a notice is about: one it names, else the only one still open. */
  private deviceOf(send: PendingSend, notice: DeliveryNotice): DeviceId | undefined {
    for (const d of notice.deviceIds) if (send.devices.includes(deviceKey(d))) return { kind: d.kind.toLowerCase(), id: d.id };
    const open = send.devices.filter((k) => !send.done.includes(k));
    return open.length === 1 ? fromDeviceKey(open[0]) : undefined;
  }
}

/** Most bytes (as JSON) kept of one original message. */
export const MAX_KEPT_BYTES = 16 * 1024;

/** The properties `names` of `msg` as JSON values, for node context; one not JSON or past the bound is `skipped`. */
export function keepProperties(msg: Record<string, unknown>, names: readonly string[]): { kept: Record<string, unknown>; skipped: string[] } {
  const kept: Record<string, unknown> = {};
  const skipped: string[] = [];
  let bytes = 0;
  for (const name of names) {
    if (msg[name] === undefined) continue;
    let json: string | undefined;
    try {
      json = JSON.stringify(msg[name]);
    } catch {
      json = undefined;
    }
    if (json === undefined || bytes + json.length > MAX_KEPT_BYTES) {
      skipped.push(name);
      continue;
    }
    bytes += json.length;
    kept[name] = JSON.parse(json) as unknown;
  }
  return { kept, skipped };
}

/** `payload` as docs/sending.md describes it; `correlated` false: no send of this runtime has its requestId. */
function message(accountName: string, kept: Record<string, unknown>, payload: Record<string, unknown> & { requestId: string }): Record<string, unknown> {
  return { ...kept, payload, thingspace: { accountName, requestId: payload.requestId } };
}

/** The outcome a notice carries; `send` when it is one of ours. */
export function noticeOutcome(accountName: string, notice: DeliveryNotice, send?: PendingSend, device?: DeviceId): Record<string, unknown> {
  const payload: Record<string, unknown> & { requestId: string } = {
    requestId: notice.requestId,
    status: notice.status,
    final: notice.final,
    correlated: send !== undefined,
    deviceIds: notice.deviceIds.length > 0 ? notice.deviceIds : device ? [device] : [],
    timestamp: notice.timestamp,
    thingspaceStatus: notice.thingspaceStatus,
  };
  if (notice.reason !== undefined) payload.reason = notice.reason;
  if (send) payload.sentAt = new Date(send.sentAt).toISOString();
  return message(accountName, send?.kept ?? {}, payload);
}

/** One `unconfirmed` outcome per device of `send` still without one; none for a send that named no devices. */
export function unconfirmedOutcomes(accountName: string, send: PendingSend, reason: string, now = new Date()): Record<string, unknown>[] {
  const open = send.devices.filter((k) => !send.done.includes(k));
  const base = {
    requestId: send.requestId,
    status: 'unconfirmed',
    final: true,
    correlated: true,
    timestamp: now.toISOString(),
    reason,
    sentAt: new Date(send.sentAt).toISOString(),
  };
  return open.map((k) => message(accountName, send.kept, { ...base, deviceIds: [fromDeviceKey(k)] }));
}

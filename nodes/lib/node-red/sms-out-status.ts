// What sms-out's status line says, the most urgent first.
import type { ThingSpaceError } from '../client/errors';
import type { StatusLine } from './status';

export interface SendCounts {
  sent: number;
  delivered: number;
  /** Failed, expired, or no notice in time. */
  notDelivered: number;
}

export interface SendActivity {
  inFlight: number;
  queued: number;
  /** The account's queue: waiting sends and its limit. */
  accountQueued: number;
  limit: number;
  /** A retry is due (seconds, code). */
  retry?: { seconds: number; code: string };
  /** The code of the last send that failed, until one succeeds. */
  failed?: string;
  /** The shared credentials were rejected. */
  rejected?: ThingSpaceError;
}

/** A queue this full shows as backpressure. */
const BACKPRESSURE = 0.8;

export function showSendState(line: StatusLine, a: SendActivity, c: SendCounts): void {
  if (a.rejected) return line.rejected(a.rejected);
  if (a.accountQueued >= a.limit * BACKPRESSURE) {
    return line.set(() => ({ fill: 'yellow', shape: 'ring', text: line.t('queueFull', { queued: a.accountQueued, limit: a.limit }) }), true);
  }
  if (a.retry) {
    const { seconds, code } = a.retry;
    return line.set(() => ({ fill: 'yellow', shape: 'ring', text: line.t('retrying', { seconds, code }) }), true);
  }
  if (a.inFlight + a.queued > 0) {
    return line.set(() => ({ fill: 'blue', shape: 'dot', text: line.t('sending', { inFlight: a.inFlight, queued: a.queued }) }), true);
  }
  if (a.failed) return line.set(() => ({ fill: 'red', shape: 'ring', text: line.t('failed', { code: a.failed ?? '' }) }), true);
  line.set(() => ({ fill: 'green', shape: 'dot', text: line.t('idle', { sent: c.sent, delivered: c.delivered, failed: c.notDelivered }) }), true);
}

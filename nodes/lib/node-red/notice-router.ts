// Delivery notices reach whichever node receives the account's callbacks (an sms-queue-in fed
// by http in, or an sms-out's own input), but belong to the sms-out node that sent the SMS.
// Per account key (whichever config node names it), each notice goes to the sms-out node that
// knows its requestId; one nobody knows goes to the oldest, which emits it uncorrelated.
import type { DeliveryNotice } from '../message/delivery-notice';

export interface NoticeReceiver {
  /** Settles once the receiver's correlations are loaded from node context. */
  readonly ready: Promise<void>;
  /** A send of this receiver has the notice's requestId, or it has seen the notice already. */
  owns(notice: DeliveryNotice): boolean;
  accept(notice: DeliveryNotice): void;
}

export class NoticeRouter {
  private readonly receivers = new Map<string, NoticeReceiver[]>();

  add(accountKey: string, receiver: NoticeReceiver): void {
    this.receivers.set(accountKey, [...(this.receivers.get(accountKey) ?? []), receiver]);
  }

  remove(accountKey: string, receiver: NoticeReceiver): void {
    const list = (this.receivers.get(accountKey) ?? []).filter((r) => r !== receiver);
    if (list.length === 0) this.receivers.delete(accountKey);
    else this.receivers.set(accountKey, list);
  }

  /** Hands the notice to its receiver: false when the account has no sms-out node to take it. */
  async route(accountKey: string, notice: DeliveryNotice): Promise<boolean> {
    const list = this.receivers.get(accountKey);
    if (!list || list.length === 0) return false;
    // A receiver still loading after a redeploy may be the one that sent it.
    await Promise.all(list.map((r) => r.ready.catch(() => undefined)));
    const current = this.receivers.get(accountKey) ?? [];
    const target = current.find((r) => r.owns(notice)) ?? current[0];
    if (!target) return false;
    target.accept(notice);
    return true;
  }
}

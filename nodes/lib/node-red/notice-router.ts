// Delivery notices reach whichever node receives the account's callbacks (an sms-queue-in fed
// by http in, or an sms-out's own input), but belong to the sms-out node that sent the SMS.
// This registry, per account (server and account name, whichever node or config node names it),
// hands each notice to the sms-out node that knows its requestId; a notice nobody knows goes
// to the oldest sms-out of the account, which emits it uncorrelated. The registry lives at
// module level: it spans config nodes and flows in one runtime.
import type { DeliveryNotice } from '../message/delivery-notice';

export interface NoticeReceiver {
  /** Settles once the receiver's correlations are loaded from node context. */
  readonly ready: Promise<void>;
  /** A send of this receiver has the notice's requestId, or it has seen the notice already. */
  owns(notice: DeliveryNotice): boolean;
  accept(notice: DeliveryNotice): void;
}

const receivers = new Map<string, NoticeReceiver[]>();

/** Where an account's notices go: its key (nodes/lib/client/account.ts), as everything per account. */
export interface AccountRef {
  accountKey: string;
}

export function addReceiver(account: AccountRef, receiver: NoticeReceiver): void {
  const k = account.accountKey;
  receivers.set(k, [...(receivers.get(k) ?? []), receiver]);
}

export function removeReceiver(account: AccountRef, receiver: NoticeReceiver): void {
  const k = account.accountKey;
  const list = (receivers.get(k) ?? []).filter((r) => r !== receiver);
  if (list.length === 0) receivers.delete(k);
  else receivers.set(k, list);
}

/** Hands the notice to its receiver: false when the account has no sms-out node to take it. */
export async function routeNotice(account: AccountRef, notice: DeliveryNotice): Promise<boolean> {
  const list = receivers.get(account.accountKey);
  if (!list || list.length === 0) return false;
  // A receiver still loading after a redeploy may be the one that sent it.
  await Promise.all(list.map((r) => r.ready.catch(() => undefined)));
  const current = receivers.get(account.accountKey) ?? [];
  const target = current.find((r) => r.owns(notice)) ?? current[0];
  if (!target) return false;
  target.accept(notice);
  return true;
}

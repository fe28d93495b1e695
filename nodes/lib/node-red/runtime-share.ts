// What the config nodes of one runtime share, and so the nodes using them (`UsableConfig.shared`):
// the config node type makes one per runtime (nodes/thingspace-config.ts), as readers, notice
// routes and send queues span config nodes and a hand-over outlives the config node a deploy replaces.
import { once, type EventEmitter } from 'node:events';
import { AuthRegistry } from '../client/shared-auth';
import type { PersistedState } from '../consumer/types';
import type { RedisPool } from '../coordination/coordinator';
import type { DeliveryNotice } from '../message/delivery-notice';
import { SendQueue } from '../sender/send-queue';
import { Handovers, SendHandovers } from './handovers';
import { RefusalFile } from './refusal-file';

/** A closing sms-out gives its sends in flight this long to be answered (below Node-RED's 15 s
 *  close timeout); then they are cancelled, SEND_UNCERTAIN when the request may have gone. */
export const CLOSE_WAIT_MS = 10_000;

export interface NoticeReceiver {
  /** Settles once the receiver's correlations are loaded from node context. */
  readonly ready: Promise<void>;
  /** A send of this receiver has the notice's requestId, or it has seen the notice already. */
  owns(notice: DeliveryNotice): boolean;
  accept(notice: DeliveryNotice): void;
}

export class RuntimeShare {
  /** Config nodes with the same credentials share a token and a session (docs/architecture.md, "Client"). */
  readonly registry = new AuthRegistry();
  readonly file: RefusalFile;
  readonly sends: SendHandovers;
  /** What a closing sms-queue-in leaves its successor (context-store.ts); after 60 s, dropped. */
  readonly states = new Handovers<PersistedState>(60_000);
  /** Made with the first coordinated config node (coordination-config.ts). */
  redis?: RedisPool;
  /** The sms-queue-in node reading each account: two would race for its blocks. */
  private readonly readers = new Map<string, string>();
  /** The sms-out nodes of each account, oldest first. */
  private readonly receivers = new Map<string, Set<NoticeReceiver>>();
  /** Kept for the runtime's life: one small object per account the flows ever sent from. */
  private readonly queues = new Map<string, SendQueue>();

  constructor(
    userDir: string | undefined,
    readonly warn: (text: string) => void,
    events: EventEmitter,
  ) {
    this.file = new RefusalFile(userDir, warn);
    this.sends = new SendHandovers(events);
  }

  /** Claims the account's queue for `nodeId`; returns the id of the node that holds it if taken. */
  claimReader(accountKey: string, nodeId: string): string | undefined {
    const holder = this.readers.get(accountKey);
    if (holder !== undefined && holder !== nodeId) return holder;
    this.readers.set(accountKey, nodeId);
    return undefined;
  }

  releaseReader(accountKey: string, nodeId: string): void {
    if (this.readers.get(accountKey) === nodeId) this.readers.delete(accountKey);
  }

  addReceiver(accountKey: string, receiver: NoticeReceiver): void {
    this.receivers.set(accountKey, (this.receivers.get(accountKey) ?? new Set()).add(receiver));
  }

  removeReceiver(accountKey: string, receiver: NoticeReceiver): void {
    this.receivers.get(accountKey)?.delete(receiver);
  }

  /** Hands a notice to the sms-out node of the account that knows its requestId, else to the oldest
   *  (which emits it uncorrelated): false when the account has none. */
  async routeNotice(accountKey: string, notice: DeliveryNotice): Promise<boolean> {
    const receivers = this.receivers.get(accountKey) ?? new Set<NoticeReceiver>();
    // A receiver still loading after a redeploy may be the one that sent it (the set may change meanwhile).
    await Promise.all([...receivers].map((r) => r.ready.catch(() => undefined)));
    const target = [...receivers].find((r) => r.owns(notice)) ?? [...receivers][0];
    target?.accept(notice);
    return target !== undefined;
  }

  /** The account's send queue, shared by its sms-out nodes whichever config node they use: its
   *  requests in flight stay bounded however many nodes send. */
  sendQueue(accountKey: string): SendQueue {
    let queue = this.queues.get(accountKey);
    if (!queue) this.queues.set(accountKey, (queue = new SendQueue({ concurrency: 4, limit: 1000 })));
    return queue;
  }

  /** Settles once no send is in flight in any queue (at most CLOSE_WAIT_MS and a second): a config
   *  node closes its client only then, so a send in flight at a redeploy gets its grace. */
  async sendsSettled(): Promise<void> {
    const signal = AbortSignal.timeout(CLOSE_WAIT_MS + 1000);
    for (const q of this.queues.values()) {
      while (q.inFlight > 0 && !signal.aborted) await once(q, 'change', { signal }).catch(() => undefined);
    }
  }
}

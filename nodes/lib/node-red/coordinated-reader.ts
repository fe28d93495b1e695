// sms-queue-in with coordination on (the config node's Coordination is Redis): the account's
// lease decides whether this runtime's consumer reads (lead) or stands by, the consumer's
// state lives in Redis, pushed SMS are checked against the other replicas, and the status
// says which runtime reads and when coordination is unavailable.
import type { Node, NodeMessageInFlow } from 'node-red';
import type { SmsMessage } from '../types';
import type { Coordinator, Reader } from '../coordination/coordinator';
import type { SentinelFault } from '../coordination/errors';
import type { LeaseView } from '../coordination/lease';
import { CALLBACK_BLOCK, type QueueConsumer } from '../consumer/queue-consumer';
import { dedupeKey } from '../message/dedupe-key';
import type { AccountFeed } from './activity';
import { answerHttp } from './http-reply';
import { NodeError } from './report';
import type { StatusLine } from './status';

export interface CoordinatedReaderOptions {
  node: Node;
  coordinator: Coordinator;
  /** The account key (nodes/lib/client/account.ts): one lease per account. */
  account: string;
  /** The node's poll interval: a standby tries to take the lease at least this often. */
  intervalMs: number;
  manual: boolean;
  report: (err: NodeError, operation: string) => void;
}

const SENTINEL_STATUS: Record<SentinelFault, string> = {
  failover: 'coordinationFailover',
  'unknown-master': 'sentinelNoMaster',
  'no-sentinel': 'sentinelSilent',
};

export class CoordinatedReader {
  readonly reader: Reader;
  private outageReported = false;
  private uncheckedWarned = false;

  constructor(private readonly opts: CoordinatedReaderOptions) {
    const lease = opts.coordinator.settings.leaseMs;
    // Half an interval: a standby then takes over within one interval of a clean hand-over,
    // its first request (and login) included.
    const retryMs = opts.intervalMs > 0 ? Math.min(opts.intervalMs / 2, lease / 3) : lease / 3;
    this.reader = opts.coordinator.reader(opts.account, retryMs, (level, text) => (level === 'warn' ? opts.node.warn(text) : opts.node.log(text)));
  }

  /** While this runtime reads: its name, for the status suffix. */
  get label(): string {
    return this.reader.lease.holding ? this.opts.coordinator.runtime : '';
  }

  get runtime(): string {
    return this.opts.coordinator.runtime;
  }

  /** Wires the lease to the consumer (already started, in standby) and starts it. */
  attach(consumer: QueueConsumer, status: StatusLine, feed?: AccountFeed): void {
    const { lease } = this.reader;
    lease.yieldReader = () => consumer.standBy();
    const show = (view: LeaseView): void => {
      feed?.lease(
        view.state,
        view.state === 'holding' ? this.runtime : view.state === 'standby' ? view.holder : undefined,
        view.state === 'unavailable' ? view.error.code : undefined,
      );
      switch (view.state) {
        case 'holding':
          this.outageReported = false;
          this.uncheckedWarned = false;
          consumer.lead();
          return;
        case 'standby':
          void consumer.standBy();
          status.set(() => ({
            fill: 'grey',
            shape: 'ring',
            text: view.holder ? status.t('standby', { runtime: view.holder }) : status.t('standbyFree'),
          }));
          return;
        case 'unavailable': {
          void consumer.standBy();
          // A Sentinel set's primary lost or moved, its master name unknown, no sentinel answering: said as such.
          const fault = view.error.sentinelFault;
          const key = fault ? SENTINEL_STATUS[fault] : 'coordinationUnavailable';
          const target = this.opts.coordinator.settings.url;
          const master = 'master' in target ? target.master : '';
          status.set(() => ({ fill: fault === 'failover' ? 'yellow' : 'red', shape: 'ring', text: status.t(key, { where: target.display, master }) }));
          if (!this.outageReported) {
            this.outageReported = true;
            this.opts.report(
              new NodeError(`Coordination unavailable, not reading until Redis answers again: ${view.error.message}`, view.error.code),
              'coordination',
            );
          }
        }
      }
    };
    lease.on('change', show);
    show(lease.view);
    lease.start();
  }

  /** Push mode: is this SMS new to every replica? False: answered 200 here, not emitted. */
  async pushIsNew(msg: NodeMessageInFlow, sms: SmsMessage): Promise<boolean> {
    const key = dedupeKey(sms);
    const push = this.reader.push;
    const check = this.opts.manual ? await push.seen(key) : await push.claim(key);
    if (check === 'duplicate') {
      answerHttp(msg, 200);
      return false;
    }
    if (check === 'unchecked' && !this.uncheckedWarned) {
      // At-least-once first: emitted on this runtime's own dedupe window.
      this.uncheckedWarned = true;
      this.opts.node.warn("coordination unavailable: pushed SMS are emitted after a check of this runtime's dedupe window only (said once)");
    }
    return true;
  }

  /** Manual mode: a pushed SMS acknowledged here is one the other replicas may drop now. */
  acked(msg: NodeMessageInFlow): void {
    const ts = (msg as { thingspace?: { block?: unknown; key?: unknown } }).thingspace;
    if (this.opts.manual && ts?.block === CALLBACK_BLOCK && typeof ts.key === 'string') void this.reader.push.remember(ts.key);
  }

  /** Gives the lease back once the consumer has stopped (call after consumer.stop()). */
  close(): Promise<void> {
    return this.reader.close();
  }
}

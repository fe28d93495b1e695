// One send queue per account key, shared by its sms-out nodes whichever config node they use:
// the account's requests in flight stay bounded however many nodes send. Kept for the runtime's
// life: one small object per account the flows ever sent from.
import { SendQueue } from '../sender/send-queue';

/** A closing sms-out gives its sends in flight this long to be answered (below Node-RED's 15 s
 *  close timeout); then they are cancelled, SEND_UNCERTAIN when the request may have gone. */
export const CLOSE_WAIT_MS = 10_000;

export class SendQueues {
  private readonly queues = new Map<string, SendQueue>();

  queueFor(accountKey: string): SendQueue {
    let queue = this.queues.get(accountKey);
    if (!queue) this.queues.set(accountKey, (queue = new SendQueue({ concurrency: 4, limit: 1000 })));
    return queue;
  }

  /** Settles once no send is in flight in any queue (at most CLOSE_WAIT_MS and a second): a config
   *  node closes its client only then, so a send in flight at a redeploy gets its grace. Queues are
   *  per account, not per config node, so a closing config node waits for all of them. */
  settled(): Promise<void> {
    const busy = (): boolean => [...this.queues.values()].some((q) => q.inFlight > 0);
    if (!busy()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (!busy()) finish();
      };
      const finish = (): void => {
        clearTimeout(timer);
        for (const q of this.queues.values()) q.off('change', check);
        resolve();
      };
      const timer = setTimeout(finish, CLOSE_WAIT_MS + 1000);
      for (const q of this.queues.values()) q.on('change', check);
    });
  }
}

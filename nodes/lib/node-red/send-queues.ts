// One send queue per account (server and account name: nodes/lib/client/account.ts), shared by
// its sms-out nodes whichever config node they use: the account's requests in flight stay
// bounded however many nodes send. Kept for the runtime's life: one small object per account
// the flows ever sent from, and a redeploy finds the sends still in flight on it.
import { SendQueue } from '../sender/send-queue';

const queues = new Map<string, SendQueue>();

export function sendQueueFor(accountKey: string): SendQueue {
  let queue = queues.get(accountKey);
  if (!queue) {
    queue = new SendQueue({ concurrency: 4, limit: 1000 });
    queues.set(accountKey, queue);
  }
  return queue;
}

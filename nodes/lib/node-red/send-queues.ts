// One send queue per account (per config node's client), shared by its sms-out nodes: the
// account's requests in flight stay bounded however many nodes send.
import type { ThingSpaceClient } from '../client/thingspace-client';
import { SendQueue } from '../sender/send-queue';

const queues = new WeakMap<ThingSpaceClient, SendQueue>();

/** A closing sms-out gives its sends in flight this long to be answered (below Node-RED's 15 s
 *  close timeout); then they are cancelled, SEND_UNCERTAIN when the request may have gone. */
export const CLOSE_WAIT_MS = 10_000;

export function sendQueueFor(client: ThingSpaceClient): SendQueue {
  let queue = queues.get(client);
  if (!queue) {
    queue = new SendQueue({ concurrency: 4, limit: 1000 });
    queues.set(client, queue);
  }
  return queue;
}

/** Settles once no send of the client's is in flight (at most CLOSE_WAIT_MS and a second): the
 *  config node closes its client only then, so a send in flight at a redeploy gets its grace. */
export function sendsSettled(client: ThingSpaceClient | undefined): Promise<void> {
  const queue = client && queues.get(client);
  if (!queue || queue.inFlight === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const check = (): void => {
      if (queue.inFlight === 0) finish();
    };
    const finish = (): void => {
      clearTimeout(timer);
      queue.off('change', check);
      resolve();
    };
    const timer = setTimeout(finish, CLOSE_WAIT_MS + 1000);
    queue.on('change', check);
  });
}

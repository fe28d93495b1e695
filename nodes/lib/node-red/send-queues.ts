// One send queue per account (per config node's client), shared by its sms-out nodes: the
// account's requests in flight stay bounded however many nodes send.
import type { ThingSpaceClient } from '../client/thingspace-client';
import { SendQueue } from '../sender/send-queue';

const queues = new WeakMap<ThingSpaceClient, SendQueue>();

export function sendQueueFor(client: ThingSpaceClient): SendQueue {
  let queue = queues.get(client);
  if (!queue) {
    queue = new SendQueue({ concurrency: 4, limit: 1000 });
    queues.set(client, queue);
  }
  return queue;
}

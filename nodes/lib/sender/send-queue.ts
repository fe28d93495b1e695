// The sends of one account, shared by its sms-out nodes: bounded, so a burst of messages never becomes a burst of
// requests; a full queue refuses at once (nothing dropped unseen); closing a node removes only its waiting jobs.
import { EventEmitter } from 'node:events';

interface QueueLimits {
  concurrency: number;
  /** Sends waiting at most (not counting those in flight). */
  limit: number;
}

/** `change`: something started, finished, was queued or dropped. */
export class SendQueue extends EventEmitter<{ change: [] }> {
  private readonly waiting: Array<{ owner: object; run: () => Promise<void> }> = [];
  private readonly owners = new Map<object, QueueLimits>();
  /** Requests running now (read by the runtime share and the activity board). */
  inFlight = 0;

  constructor(private readonly defaults: QueueLimits) {
    super();
    this.setMaxListeners(0);
  }

  /** An owner's limits join the account's: the lowest of each applies to all. */
  attach(owner: object, limits: QueueLimits): void {
    this.owners.set(owner, limits);
    this.pump();
  }

  /** Removes the owner's waiting jobs (they were never sent) and returns how many there were. */
  detach(owner: object): number {
    this.owners.delete(owner);
    const before = this.waiting.length;
    this.waiting.splice(0, before, ...this.waiting.filter((job) => job.owner !== owner));
    const dropped = before - this.waiting.length;
    this.pump();
    if (dropped > 0) this.emit('change');
    return dropped;
  }

  /** The lowest limits of the owners, else the defaults. */
  get current(): QueueLimits {
    const all = [...this.owners.values()];
    if (all.length === 0) return { ...this.defaults };
    return { concurrency: Math.min(...all.map((l) => l.concurrency)), limit: Math.min(...all.map((l) => l.limit)) };
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `run` once a slot is free; false, and nothing queued, when the queue is full. `run`
   *  must settle on its own and never reject: the job reports its own outcome. */
  submit(owner: object, run: () => Promise<void>): boolean {
    const { concurrency, limit } = this.current;
    if (this.inFlight >= concurrency && this.waiting.length >= limit) return false;
    this.waiting.push({ owner, run });
    this.pump();
    this.emit('change');
    return true;
  }

  private pump(): void {
    const { concurrency } = this.current;
    while (this.inFlight < concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.inFlight++;
      const finish = (): void => {
        this.inFlight--;
        this.pump();
        this.emit('change');
      };
      job.run().then(finish, finish);
    }
  }
}

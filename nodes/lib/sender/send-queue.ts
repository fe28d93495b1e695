// The sends of one account, shared by every sms-out node on it: a bounded queue, and at most
// `concurrency` requests in flight, so a burst of messages never becomes a burst of requests.
// A full queue refuses the next send at once (its owner reports it): nothing is dropped
// unseen. Jobs belong to an owner (an sms-out node), so closing one node removes only its
// waiting jobs.
import { EventEmitter } from 'node:events';

export interface QueueLimits {
  /** Requests in flight at most. */
  concurrency: number;
  /** Sends waiting at most (not counting those in flight). */
  limit: number;
}

interface Job {
  owner: object;
  run: () => Promise<void>;
}

export interface QueueEvents {
  /** Something started, finished, was queued or dropped. */
  change: [];
}

export class SendQueue extends EventEmitter<QueueEvents> {
  private readonly waiting: Job[] = [];
  private readonly owners = new Map<object, QueueLimits>();
  private running = 0;
  private readonly runningBy = new Map<object, number>();
  private limits: QueueLimits;

  constructor(private readonly defaults: QueueLimits) {
    super();
    this.setMaxListeners(0);
    this.limits = { ...defaults };
  }

  /** An owner's limits join the account's: the lowest of each applies to all. */
  attach(owner: object, limits: QueueLimits): void {
    this.owners.set(owner, limits);
    this.recompute();
  }

  /** Removes the owner's waiting jobs (they were never sent) and returns how many there were. */
  detach(owner: object): number {
    this.owners.delete(owner);
    let dropped = 0;
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      if (this.waiting[i].owner === owner) {
        this.waiting.splice(i, 1);
        dropped++;
      }
    }
    this.recompute();
    if (dropped > 0) this.emit('change');
    return dropped;
  }

  get current(): QueueLimits {
    return { ...this.limits };
  }

  get queued(): number {
    return this.waiting.length;
  }

  get inFlight(): number {
    return this.running;
  }

  /** The owner's own jobs: waiting and in flight. */
  countsOf(owner: object): { queued: number; inFlight: number } {
    let queued = 0;
    for (const job of this.waiting) if (job.owner === owner) queued++;
    return { queued, inFlight: this.runningBy.get(owner) ?? 0 };
  }

  /** Runs `run` once a slot is free; false, and nothing queued, when the queue is full. `run`
   *  must settle on its own and never reject: the job reports its own outcome. */
  submit(owner: object, run: () => Promise<void>): boolean {
    if (this.running >= this.limits.concurrency && this.waiting.length >= this.limits.limit) return false;
    this.waiting.push({ owner, run });
    this.pump();
    this.emit('change');
    return true;
  }

  private recompute(): void {
    const all = [...this.owners.values()];
    this.limits =
      all.length === 0
        ? { ...this.defaults }
        : { concurrency: Math.min(...all.map((l) => l.concurrency)), limit: Math.min(...all.map((l) => l.limit)) };
    this.pump();
  }

  private pump(): void {
    while (this.running < this.limits.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.running++;
      this.runningBy.set(job.owner, (this.runningBy.get(job.owner) ?? 0) + 1);
      const finish = (): void => {
        this.running--;
        const left = (this.runningBy.get(job.owner) ?? 1) - 1;
        if (left === 0) this.runningBy.delete(job.owner);
        else this.runningBy.set(job.owner, left);
        this.pump();
        this.emit('change');
      };
      job.run().then(finish, finish);
    }
  }
}

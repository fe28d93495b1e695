// The sends of one account, shared by its sms-out nodes: bounded, so a burst of messages never becomes a burst of
// requests; a full queue refuses at once (nothing dropped unseen); closing a node removes only its waiting jobs.
import { EventEmitter } from 'node:events';

interface QueueLimits {
  /** Requests in flight at most. */
  concurrency: number;
  /** Sends waiting at most (not counting those in flight). */
  limit: number;
}

interface Job {
  owner: object;
  run: () => Promise<void>;
}

interface QueueEvents {
  /** Something started, finished, was queued or dropped. */
  change: [];
}

function add(counts: Map<object, number>, owner: object, n: number): void {
  const v = (counts.get(owner) ?? 0) + n;
  if (v === 0) counts.delete(owner);
  else counts.set(owner, v);
}

export class SendQueue extends EventEmitter<QueueEvents> {
  private readonly waiting: Job[] = [];
  private readonly owners = new Map<object, QueueLimits>();
  private running = 0;
  // Counts per owner, kept as jobs come and go: status lines ask at every change.
  private readonly runningBy = new Map<object, number>();
  private readonly waitingBy = new Map<object, number>();
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
    const dropped = this.waitingBy.get(owner) ?? 0;
    if (dropped > 0) {
      this.waiting.splice(0, this.waiting.length, ...this.waiting.filter((job) => job.owner !== owner));
      this.waitingBy.delete(owner);
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
    return { queued: this.waitingBy.get(owner) ?? 0, inFlight: this.runningBy.get(owner) ?? 0 };
  }

  /** Runs `run` once a slot is free; false, and nothing queued, when the queue is full. `run`
   *  must settle on its own and never reject: the job reports its own outcome. */
  submit(owner: object, run: () => Promise<void>): boolean {
    if (this.running >= this.limits.concurrency && this.waiting.length >= this.limits.limit) return false;
    this.waiting.push({ owner, run });
    add(this.waitingBy, owner, 1);
    this.pump();
    this.emit('change');
    return true;
  }

  private recompute(): void {
    const all = [...this.owners.values()];
    this.limits =
      all.length === 0 ? { ...this.defaults } : { concurrency: Math.min(...all.map((l) => l.concurrency)), limit: Math.min(...all.map((l) => l.limit)) };
    this.pump();
  }

  private pump(): void {
    while (this.running < this.limits.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      add(this.waitingBy, job.owner, -1);
      this.running++;
      add(this.runningBy, job.owner, 1);
      const finish = (): void => {
        this.running--;
        add(this.runningBy, job.owner, -1);
        this.pump();
        this.emit('change');
      };
      job.run().then(finish, finish);
    }
  }
}

// Writes of a whole state, coalesced: one in flight and one waiting, which writes the latest
// value given, so a burst of saves costs two writes, not one each. Used by every store of the
// package (node context, Redis, sms-out's correlations).

export class CoalescingWriter<T> {
  private value: T | undefined;
  private waiting: Array<() => void> = [];
  private flight: Promise<void> | undefined;

  /** `write` reports its failures by rejecting: they go to `onError`, and the save settles. */
  constructor(
    private readonly write: (value: T) => Promise<void>,
    private readonly onError: (err: Error) => void,
  ) {}

  get latest(): T | undefined {
    return this.value;
  }

  /** Settles once a write that began after this call has ended. */
  save(value: T): Promise<void> {
    this.value = value;
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.flight ??= this.run();
    });
  }

  /** Settles once nothing is in flight or waiting. */
  settled(): Promise<void> {
    return this.flight ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    while (this.waiting.length > 0) {
      const settle = this.waiting;
      this.waiting = [];
      try {
        await this.write(this.value as T);
      } catch (err) {
        this.onError(err as Error);
      }
      for (const done of settle) done();
    }
    this.flight = undefined;
  }
}

// State kept in node context across a redeploy (sms-out's pending correlations); a burst of changes costs one write.
import type { Node } from 'node-red';
import { CoalescingWriter } from '../consumer/coalescing-writer';

const WRITE_DELAY_MS = 50;

export interface SnapshotStore<T> {
  load(): Promise<T | undefined>;
  /** Asks for a write of `make()`, taken when the write happens. */
  changed(make: () => T): void;
  /** Writes now if a write is due, and settles once nothing is left to write. */
  flush(): Promise<void>;
}

export function contextSnapshots<T>(node: Node, key: string, onError: (err: Error) => void): SnapshotStore<T> {
  const ctx = node.context();
  const writer = new CoalescingWriter<() => T>(
    (make) => new Promise((resolve, reject) => ctx.set(key, make(), (err: Error) => (err ? reject(err) : resolve()))),
    onError,
  );
  let due: { make: () => T; timer: NodeJS.Timeout } | undefined;
  const write = (): Promise<void> => {
    if (!due) return writer.settled();
    clearTimeout(due.timer);
    const { make } = due;
    due = undefined;
    return writer.save(make);
  };

  return {
    load: () =>
      new Promise<T | undefined>((resolve) => {
        ctx.get(key, (err: Error, value: unknown) => {
          if (err) onError(err);
          resolve(err ? undefined : (value as T | undefined));
        });
      }),
    changed: (make) => {
      if (due) due.make = make;
      else due = { make, timer: setTimeout(() => void write(), WRITE_DELAY_MS) };
      due.timer.unref();
    },
    flush: async () => {
      await write();
      await writer.settled();
    },
  };
}

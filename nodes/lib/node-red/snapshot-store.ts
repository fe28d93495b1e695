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
  const cell = contextCell<T>(node, key, onError);
  const writer = new CoalescingWriter<() => T>((make) => cell.set(make()), onError);
  let due: { make: () => T; timer: NodeJS.Timeout } | undefined;
  const write = (): Promise<void> => {
    if (!due) return writer.settled();
    clearTimeout(due.timer);
    const { make } = due;
    due = undefined;
    return writer.save(make);
  };

  return {
    load: () => cell.get(undefined),
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

/** Node context's `key` as promises: a failing read goes to `onError` and reads as `fallback`, in the same callback. */
export function contextCell<T>(node: Node, key: string, onError: (err: Error) => void) {
  const ctx = node.context();
  return {
    get: (fallback: T | undefined) =>
      new Promise<T | undefined>((resolve) => {
        ctx.get(key, (err: Error, value: unknown) => {
          if (err) onError(err);
          resolve((err ? undefined : (value as T | undefined)) ?? fallback);
        });
      }),
    set: (value: T) => new Promise<void>((resolve, reject) => ctx.set(key, value, (err: Error) => (err ? reject(err) : resolve()))),
  };
}

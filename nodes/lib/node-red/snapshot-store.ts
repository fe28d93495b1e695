// A snapshot of some state kept in node context, so it survives a redeploy or a restart with a
// persistent context store (sms-out's pending correlations). Writes are coalesced: a change
// asks for a write, which happens within WRITE_DELAY_MS with the state as it is then, so a
// burst of changes costs one write of the whole state, not one each.
import type { Node } from 'node-red';

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
  let make: (() => T) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> | undefined;

  const write = (): Promise<void> => {
    timer = undefined;
    if (writing) return writing.then(write);
    if (!make) return Promise.resolve();
    const state = make();
    make = undefined;
    let release!: () => void;
    const flight = new Promise<void>((resolve) => (release = resolve));
    // Set before the call: a store may answer synchronously (the memory store does).
    writing = flight;
    ctx.set(key, state, (err: Error) => {
      if (err) onError(err);
      if (writing === flight) writing = undefined;
      release();
    });
    return flight;
  };

  return {
    load: () =>
      new Promise<T | undefined>((resolve) => {
        ctx.get(key, (err: Error, value: unknown) => {
          if (err) onError(err);
          resolve(err ? undefined : (value as T | undefined));
        });
      }),
    changed: (m) => {
      make = m;
      if (!timer) {
        timer = setTimeout(() => void write(), WRITE_DELAY_MS);
        timer.unref();
      }
    },
    flush: async () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await write();
      if (writing) await writing;
    },
  };
}

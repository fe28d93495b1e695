// Node context as the queue consumer's store (nodes/lib/consumer/types.ts, ConsumerStore):
// works with any context store, sync or async. A save settles once a write that began after
// it has finished (for a file store without cache: on disk). Writes are coalesced, one in
// flight and one waiting: the state is one live object, so the waiting write carries every
// change made meanwhile, and a burst of acknowledgements costs two writes of the context
// file, not one each.
import type { Node } from 'node-red';
import type { ConsumerStore, PersistedState } from '../consumer/types';

const CONTEXT_KEY = 'thingspace';

export function contextStore(node: Node, onError: (err: Error) => void): ConsumerStore {
  const ctx = node.context();
  let writing = false;
  let waiting: Array<() => void> = [];
  let latest: PersistedState | undefined;
  const write = (state: PersistedState, settle: Array<() => void>): void => {
    writing = true;
    ctx.set(CONTEXT_KEY, state, (err: Error) => {
      if (err) onError(err);
      for (const done of settle) done();
      if (waiting.length > 0) {
        const next = waiting;
        waiting = [];
        write(latest!, next);
      } else {
        writing = false;
      }
    });
  };
  return {
    load: () =>
      new Promise<PersistedState | undefined>((resolve) => {
        ctx.get(CONTEXT_KEY, (err: Error, value: unknown) => {
          if (err) onError(err);
          resolve(err ? undefined : (value as PersistedState | undefined));
        });
      }),
    save: (state) =>
      new Promise<void>((resolve) => {
        latest = state;
        if (writing) waiting.push(resolve);
        else write(state, [resolve]);
      }),
  };
}

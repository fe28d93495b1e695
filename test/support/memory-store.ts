// A ConsumerStore in memory, for the consumer's tests.
import type { ConsumerStore, PersistedState } from '../../nodes/lib/consumer/types';

export class MemoryStore implements ConsumerStore {
  /** The last state saved: the consumer's live object, by reference. */
  state: PersistedState | undefined;
  saves = 0;

  constructor(initial?: PersistedState) {
    this.state = initial;
  }

  async load(): Promise<PersistedState | undefined> {
    return this.state;
  }

  save(state: PersistedState): void {
    this.state = state;
    this.saves++;
  }
}

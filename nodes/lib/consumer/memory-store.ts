// A ConsumerStore held in memory: for a consumer that needs no persistence across process
// restarts, and for handing state from one consumer to the next within a process (what a
// redeploy does with Node-RED's default memory context).
import type { ConsumerStore, PersistedState } from './types';

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

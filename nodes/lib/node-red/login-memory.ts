// The refused logins of the user directory's file and, with coordination, of Redis. Never fails a login or a
// deploy: a store that cannot answer is said in the log and the other one decides.
import { findRefused, mergeRecords, readRecord, withRefusal, type LoginRefusal, type RefusalMemory, type RefusalRecord } from '../client/login-refusals';
import type { Coordinator } from '../coordination/coordinator';
import type { RefusalFile } from './refusal-file';

/** Refusals shared through Redis (nodes/lib/coordination/coordinator.ts). */
export type RemoteRefusals = ReturnType<Coordinator['refusals']>;

export class LoginMemory implements RefusalMemory {
  private lastWarning = '';

  constructor(
    private readonly file: RefusalFile,
    private readonly remote: RemoteRefusals | undefined,
    private readonly warn: (text: string) => void,
  ) {}

  async refused(server: string, user: string, password: string): Promise<LoginRefusal | undefined> {
    const record = await this.record(server, user);
    const hit = await findRefused(record, password);
    return hit && record ? { user, failedLogins: record.failedLogins, at: hit.at } : undefined;
  }

  async recordRefusal(server: string, user: string, password: string): Promise<LoginRefusal> {
    const at = Date.now();
    const record = await withRefusal(await this.record(server, user), server, user, password, at);
    await this.file.put(record);
    await this.tryRemote('write', () => this.remote?.set(server, user, JSON.stringify(record)));
    return { user, failedLogins: record.failedLogins, at };
  }

  async recordSuccess(server: string, user: string): Promise<void> {
    await this.file.delete(server, user);
    await this.tryRemote('clear', () => this.remote?.delete(server, user));
  }

  private async record(server: string, user: string): Promise<RefusalRecord | undefined> {
    const local = await this.file.get(server, user);
    const text = await this.tryRemote('read', () => this.remote?.get(server, user));
    let shared: RefusalRecord | undefined;
    try {
      shared = text === undefined ? undefined : readRecord(JSON.parse(text));
    } catch {
      shared = undefined;
    }
    return mergeRecords(local, shared);
  }

  private async tryRemote<T>(what: string, work: () => Promise<T> | undefined): Promise<T | undefined> {
    try {
      return await work();
    } catch (err) {
      const text = `Could not ${what} the refused logins shared through Redis (${(err as Error).message}); this runtime's own memory is used`;
      // Said once per reason: an outage repeats the same failure at every login.
      if (text !== this.lastWarning) this.warn(text);
      this.lastWarning = text;
      return undefined;
    }
  }
}

// Refused logins in the user directory, so a restart does not try a refused password again (docs/architecture.md,
// "Client"). Salted hashes and counts, never a password; a file that cannot be read or written is said once.
import fs from 'node:fs/promises';
import path from 'node:path';
import { readRecord, recordKey, type RefusalRecord } from '../client/login-refusals';

export const REFUSALS_FILE = 'thingspace-sms-refused-logins.json';
const FORGETS =
  ': refused logins are remembered only until Node-RED stops, so a refused password may be tried once more after a restart (five failed logins lock the ThingSpace user)';

export class RefusalFile {
  readonly file: string | undefined;
  private records?: Promise<Map<string, RefusalRecord>>;
  private writing: Promise<void> = Promise.resolve();
  /** Read once (the first use); a write that fails may fail again: said once. */
  private writeWarned = false;

  /** `dir`: the user directory; undefined keeps the memory in this process only. */
  constructor(
    dir: string | undefined,
    private readonly warn: (text: string) => void,
  ) {
    this.file = dir ? path.join(dir, REFUSALS_FILE) : undefined;
  }

  async get(server: string, user: string): Promise<RefusalRecord | undefined> {
    return (await this.load()).get(recordKey(server, user));
  }

  async put(record: RefusalRecord): Promise<void> {
    (await this.load()).set(recordKey(record.server, record.user), record);
    await this.save();
  }

  async delete(server: string, user: string): Promise<void> {
    if ((await this.load()).delete(recordKey(server, user))) await this.save();
  }

  private load(): Promise<Map<string, RefusalRecord>> {
    return (this.records ??= this.read());
  }

  private async read(): Promise<Map<string, RefusalRecord>> {
    const records = new Map<string, RefusalRecord>();
    if (!this.file) return records;
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.warn(`Cannot read ${this.file} (${(err as NodeJS.ErrnoException).code ?? 'error'})${FORGETS}`);
      return records;
    }
    try {
      const users = (JSON.parse(text) as { users?: unknown }).users;
      if (users === null || typeof users !== 'object' || Array.isArray(users)) throw new Error('no "users" object');
      for (const value of Object.values(users)) {
        const r = readRecord(value);
        if (r) records.set(recordKey(r.server, r.user), r);
      }
    } catch (err) {
      this.warn(
        `${this.file} is not a valid memory of refused logins (${(err as Error).message}): starting with an empty memory, so a refused password may be tried once more (five failed logins lock the ThingSpace user); the file is replaced at the next refusal`,
      );
    }
    return records;
  }

  /** Writes are queued one after the other; each replaces the file whole (write, then rename). */
  private save(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    this.writing = this.writing.then(async () => {
      const users = Object.fromEntries(await this.load());
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        await fs.writeFile(tmp, JSON.stringify({ version: 1, users }, null, 2) + '\n', { mode: 0o600 });
        await fs.rename(tmp, file);
      } catch (err) {
        await fs.rm(tmp, { force: true }).catch(() => undefined);
        if (!this.writeWarned) this.warn(`Cannot write ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})${FORGETS}`);
        this.writeWarned = true;
      }
    });
    return this.writing;
  }
}

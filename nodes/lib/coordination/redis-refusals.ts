// Refused logins shared by the replicas (docs/architecture.md, "Client"), so a password one saw refused is not
// tried by another. The text holds salted hashes and counts, never a password.
import { once } from 'node:events';
import type { RedisLink } from './redis-link';

const CONNECT_WAIT_MS = 3000;

export class RedisRefusals {
  constructor(
    private readonly link: RedisLink,
    private readonly prefix: string,
  ) {}

  async get(server: string, user: string): Promise<string | undefined> {
    await this.connected();
    const v = await this.link.call(['GET', this.key(server, user)]);
    return typeof v === 'string' ? v : undefined;
  }

  async set(server: string, user: string, text: string): Promise<void> {
    await this.link.call(['SET', this.key(server, user), text]);
  }

  async delete(server: string, user: string): Promise<void> {
    await this.link.call(['DEL', this.key(server, user)]);
  }

  /** Right after a deploy: a login without the replicas' refusals may repeat one of them. */
  private async connected(): Promise<void> {
    if (!this.link.connecting) return;
    const signal = AbortSignal.timeout(CONNECT_WAIT_MS);
    await Promise.race([once(this.link, 'up', { signal }), once(this.link, 'down', { signal })]).catch(() => undefined);
  }

  private key(server: string, user: string): string {
    return `${this.prefix}refused-login:${server}|${user}`;
  }
}

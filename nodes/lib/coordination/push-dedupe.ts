// Push mode behind a load balancer: ThingSpace's retry of a callback may land on another
// replica, whose own dedupe window never saw the first try. So pushed SMS are also checked
// against a key per SMS in Redis, set with NX and a time to live of the dedupe window.
import type { AccountKeys } from './keys';
import type { RedisLink } from './redis-link';
import { PUSHED } from './scripts';

export type PushCheck = 'new' | 'duplicate' | 'unchecked';

export class SharedPushDedupe {
  /** Pushed SMS that could not be checked (Redis unreachable): emitted on the local window. */
  unchecked = 0;

  constructor(
    private readonly link: RedisLink,
    private readonly keys: AccountKeys,
    private readonly ttlSec = 24 * 3600,
  ) {}

  /** Auto mode: delivered means emitted. Claims the SMS: 'new' for exactly one replica. */
  claim(key: string): Promise<PushCheck> {
    return this.ask(key, 'claim', (r) => (r === 1 ? 'new' : 'duplicate'));
  }

  /** Manual mode: delivered means acknowledged. Was it acknowledged anywhere? */
  seen(key: string): Promise<PushCheck> {
    return this.ask(key, 'seen', (r) => (r === 1 ? 'duplicate' : 'new'));
  }

  /** Manual mode: acknowledged here; the other replicas may suppress a retry now. */
  async remember(key: string): Promise<void> {
    await this.ask(key, 'remember', () => 'new');
  }

  private async ask(key: string, mode: string, decide: (r: number) => PushCheck): Promise<PushCheck> {
    if (!this.link.up) {
      this.unchecked++;
      return 'unchecked';
    }
    try {
      return decide(Number(await this.link.run(PUSHED, [this.keys.push + key], [this.ttlSec, mode])));
    } catch {
      this.unchecked++;
      return 'unchecked';
    }
  }
}

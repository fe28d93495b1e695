// One client's hold on the shared token and session. Five failed logins lock the Verizon user
// (docs/thingspace-api.md, "Session"): once rejected, every call fails without a request until a redeploy.
import type { ClientConfig } from './config';
import type { ThingSpaceError } from './errors';
import type { HttpTransport } from './http';
import type { ClientLog } from './log';
import type { RefusalMemory } from './login-refusals';
import type { Secrets } from './secrets';
import { AuthRegistry, type AuthHold } from './shared-auth';
import type { AuthContext } from './auth-requests';

interface Tokens {
  bearer: string;
  session: string;
}

export class AuthSession {
  private readonly hold: AuthHold;
  private readonly ctx: AuthContext;
  private readonly onRejected: (err: ThingSpaceError) => void;

  constructor(
    cfg: ClientConfig,
    http: HttpTransport,
    secrets: Secrets,
    log: ClientLog,
    registry: AuthRegistry = new AuthRegistry(),
    refusals?: RefusalMemory,
    rejected: (err: ThingSpaceError) => void = () => undefined,
  ) {
    this.ctx = { http, secrets, log, refusals };
    this.hold = registry.acquire(cfg);
    this.onRejected = rejected;
    this.hold.bearer.on('rejected', this.onRejected);
    this.hold.session.on('rejected', this.onRejected);
    // A password refused before is known at once, before any node makes a call.
    void this.hold.session.recall(this.ctx);
  }

  get rejected(): ThingSpaceError | undefined {
    return this.hold.bearer.rejected ?? this.hold.session.rejected;
  }

  throwIfRejected(): void {
    const err = this.rejected;
    if (err) throw err;
  }

  async tokens(signal?: AbortSignal): Promise<Tokens> {
    const session = await this.hold.session.get(this.ctx, signal);
    const bearer = await this.hold.bearer.get(this.ctx, signal);
    this.ctx.secrets.setSession(session);
    this.ctx.secrets.setBearer(bearer);
    return { bearer, session };
  }

  dropBearer(token: string): void {
    this.hold.bearer.drop(token);
  }

  dropSession(session: string): void {
    this.hold.session.drop(session);
  }

  release(): void {
    this.hold.bearer.off('rejected', this.onRejected);
    this.hold.session.off('rejected', this.onRejected);
    this.hold.release();
  }
}

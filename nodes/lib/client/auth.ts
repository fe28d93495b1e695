// One client's view of the bearer token and M2M session it shares with the other clients of
// the runtime that hold the same credentials (shared-auth.ts): it fetches them through the
// shared entries, records the live values in its own secrets (for masking), and tells the
// client when ThingSpace rejected the shared credentials, whichever client's call it was.
//
// Lockout (docs/thingspace-api.md, "Session"): five failed logins lock the Verizon user. Once
// the server has said the credentials are wrong, every later call fails with it without
// sending anything, until the last client holding them closes (a redeploy); a refused
// password is remembered beyond that by the refusal memory (login-refusals.ts).
import type { ClientConfig } from './config';
import type { ThingSpaceError } from './errors';
import type { HttpTransport } from './http';
import type { ClientLog } from './log';
import type { RefusalMemory } from './login-refusals';
import type { Secrets } from './secrets';
import { AuthRegistry, type AuthHold } from './shared-auth';
import type { AuthContext } from './auth-requests';

export { basicCredentials, refreshDelayMs, waitFor } from './auth-requests';

export interface Tokens {
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
    /** The runtime's shared tokens; by default a registry of this client's own. */
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

  /** Bearer and session for one M2M call, fetching whichever is missing. */
  async tokens(signal?: AbortSignal): Promise<Tokens> {
    const session = await this.hold.session.get(this.ctx, signal);
    const bearer = await this.hold.bearer.get(this.ctx, signal);
    this.ctx.secrets.setSession(session);
    this.ctx.secrets.setBearer(bearer);
    return { bearer, session };
  }

  /** Forget a bearer the server refused, unless someone already replaced it. */
  dropBearer(token: string): void {
    this.hold.bearer.drop(token);
  }

  /** Forget a session the server refused, unless a newer login already replaced it. */
  dropSession(session: string): void {
    this.hold.session.drop(session);
  }

  /** This client is done with the shared token and session. */
  release(): void {
    this.hold.bearer.off('rejected', this.onRejected);
    this.hold.session.off('rejected', this.onRejected);
    this.hold.release();
  }
}

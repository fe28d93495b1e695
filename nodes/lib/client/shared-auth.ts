// One bearer per server and app key, one session per user and password, shared by a runtime's clients so that they
// log in once (docs/architecture.md, "Client"). A shared request rides on its starter's transport.
import { createHmac, randomBytes } from 'node:crypto';
import { basicCredentials, fetchToken, loginOnce, revokeToken, waitFor, type AuthContext } from './auth-requests';
import type { Operation } from './classify';
import type { ClientConfig } from './config';
import { ThingSpaceError } from './errors';
import { refusalText, type LoginRefusal } from './login-refusals';

/** A client holding an entry, told when it is rejected. */
type Holder = (err: ThingSpaceError) => void;

function singleFlight<T>(start: () => Promise<T>, clear: () => void): Promise<T> {
  const flight = start().finally(clear);
  // Every waiter may have given up; the shared request must not become an unhandled rejection.
  flight.catch(() => undefined);
  return flight;
}

function isRejection(err: unknown): err is ThingSpaceError {
  return err instanceof ThingSpaceError && err.kind === 'credentials_rejected';
}

/** A secret the clients of a runtime share: its holders, one request at a time, a rejection that sticks. */
abstract class Shared {
  /** Freed when the last one lets go. */
  readonly holders = new Set<Holder>();
  rejected?: ThingSpaceError;
  /** Used until `until` (ms since the epoch). */
  protected held?: { value: string; until: number };
  /** The last value a call refused (the bearer's request checks it). */
  protected refused?: string;
  private flight?: Promise<string>;

  constructor(
    private readonly operation: Operation,
    protected readonly now: () => number,
  ) {}

  /** The value now, else the shared request's; one aborted by another client's close is started again. */
  async get(ctx: AuthContext, signal?: AbortSignal): Promise<string> {
    for (;;) {
      if (this.rejected) throw this.rejected;
      if (this.held && this.now() < this.held.until) return this.held.value;
      this.flight ??= singleFlight(
        () => this.request(ctx),
        () => (this.flight = undefined),
      );
      try {
        return await waitFor(this.flight, signal, this.operation);
      } catch (err) {
        const orphaned = err instanceof ThingSpaceError && err.kind === 'aborted' && !signal?.aborted && !ctx.http.closed;
        if (!orphaned) throw err;
      }
    }
  }

  /** Forget a value the server refused, unless a newer one already replaced it, so a burst
   *  of calls that all saw it renews it once. */
  drop(value: string): void {
    if (this.held?.value !== value) return;
    this.held = undefined;
    this.refused = value;
  }

  protected abstract request(ctx: AuthContext): Promise<string>;

  protected reject(err: ThingSpaceError): ThingSpaceError {
    this.rejected = err;
    for (const holder of [...this.holders]) holder(err);
    return err;
  }
}

class SharedBearer extends Shared {
  readonly basic: string;

  constructor(clientId: string, clientSecret: string, now: () => number) {
    super('token', now);
    this.basic = 'Basic ' + basicCredentials(clientId, clientSecret);
  }

  /** Inside its hour the token endpoint hands back the same token (docs/thingspace-api.md,
   *  "Access token"): if that is the one just refused, it is revoked and asked for once more. */
  protected async request(ctx: AuthContext): Promise<string> {
    const token = await this.fetch(ctx);
    if (token !== this.refused) return token;
    this.refused = undefined;
    try {
      await revokeToken(ctx, this.basic, token);
    } catch (err) {
      ctx.log.debug(`POST revoke failed (${err instanceof ThingSpaceError ? err.kind : 'error'})`);
    }
    return this.fetch(ctx);
  }

  private async fetch(ctx: AuthContext): Promise<string> {
    try {
      const { token, lifetimeSec } = await fetchToken(ctx, this.basic);
      // No early refresh: inside its lifetime the endpoint hands back the same token (docs/thingspace-api.md, "Access token").
      this.held = { value: token, until: this.now() + lifetimeSec * 1000 };
      return token;
    } catch (err) {
      throw isRejection(err) ? this.reject(err) : err;
    }
  }
}

/** The M2M session of one user (every call names its account, so any account of the user). */
class SharedSession extends Shared {
  private checking?: Promise<void>;

  constructor(
    readonly bearer: SharedBearer,
    private readonly cfg: Pick<ClientConfig, 'server' | 'username' | 'password' | 'now'>,
  ) {
    super('login', cfg.now);
  }

  /** Is this password refused on record? Then the session is rejected without a request. */
  recall(ctx: AuthContext): Promise<void> {
    const { refusals } = ctx;
    if (!refusals || this.rejected) return Promise.resolve();
    const check = async (): Promise<void> => {
      const known = await refusals.refused(this.cfg.server, this.cfg.username, this.cfg.password).catch((err: unknown) => {
        ctx.log.warn(`Could not read the memory of refused logins (${(err as Error).message}); logging in anyway`);
      });
      if (!known || this.rejected) return;
      const login = { ...known, remembered: true };
      this.reject(new ThingSpaceError({ kind: 'credentials_rejected', operation: 'login', message: refusalText(known, true), login }));
    };
    return (this.checking ??= singleFlight(check, () => (this.checking = undefined)));
  }

  protected async request(ctx: AuthContext): Promise<string> {
    await this.recall(ctx);
    if (this.rejected) throw this.rejected;
    const { server, username } = this.cfg;
    let session: string;
    try {
      session = await this.loginWithFreshBearer(ctx);
    } catch (err) {
      if (!isRejection(err) || err.operation !== 'login') throw err;
      throw this.reject(await this.refusal(ctx, err));
    }
    this.held = { value: session, until: Infinity };
    await ctx.refusals
      ?.recordSuccess(server, username)
      .catch((e: unknown) => ctx.log.warn(`Could not update the memory of refused logins (${(e as Error).message})`));
    return session;
  }

  /** A login refused for its bearer (not for the password) gets a new bearer and one more try. */
  private async loginWithFreshBearer(ctx: AuthContext): Promise<string> {
    const { username, password } = this.cfg;
    const bearer = await this.bearer.get(ctx);
    try {
      return await loginOnce(ctx, bearer, username, password);
    } catch (err) {
      if (!(err instanceof ThingSpaceError) || err.kind !== 'bearer_expired') throw err;
      this.bearer.drop(bearer);
      return loginOnce(ctx, await this.bearer.get(ctx), username, password);
    }
  }

  /** The refusal recorded, and the error every client of the session reports from now on. */
  private async refusal(ctx: AuthContext, err: ThingSpaceError): Promise<ThingSpaceError> {
    const { server, username, password } = this.cfg;
    const recorded = await ctx.refusals?.recordRefusal(server, username, password).catch((e: unknown) => {
      ctx.log.warn(`Could not record the refused login (${(e as Error).message}): it may be tried again after a restart`);
    });
    // Without a record, this session's one refusal: a rejection sticks, so there is no second login.
    const r: LoginRefusal = recorded ?? { user: username, failedLogins: 1, at: this.cfg.now() };
    const code = err.errorCode ? ` (${err.errorCode})` : '';
    return new ThingSpaceError({ ...err.toJSON(), kind: 'credentials_rejected', message: refusalText(r, false) + code, login: { ...r, remembered: false } });
  }
}

function take<T extends Shared>(entries: Map<string, T>, key: string, holder: Holder, make: () => T): T {
  const entry = entries.get(key) ?? make();
  entries.set(key, entry);
  entry.holders.add(holder);
  return entry;
}

function letGo(entries: Map<string, Shared>, key: string, holder: Holder): void {
  const entry = entries.get(key);
  if (entry?.holders.delete(holder) && entry.holders.size === 0) entries.delete(key);
}

export class AuthRegistry {
  private readonly bearers = new Map<string, SharedBearer>();
  private readonly sessions = new Map<string, SharedSession>();
  // Keys carry an HMAC of the secret under a key of this registry: a client shares only with
  // clients holding the same secret, never rides on credentials it does not hold.
  private readonly key = randomBytes(32);

  acquire(cfg: ClientConfig, holder: Holder) {
    const print = (secret: string): string => createHmac('sha256', this.key).update(secret).digest('base64');
    // The session key carries the app key too: ThingSpace may tie a session to the app that
    // opened it (docs/thingspace-api.md is silent), and one user rarely has two app keys.
    const bearerKey = JSON.stringify([cfg.server, cfg.clientId, print(cfg.clientSecret)]);
    const sessionKey = JSON.stringify([bearerKey, cfg.username, print(cfg.password)]);
    const bearer = take(this.bearers, bearerKey, holder, () => new SharedBearer(cfg.clientId, cfg.clientSecret, cfg.now));
    const session = take(this.sessions, sessionKey, holder, () => new SharedSession(bearer, cfg));
    const release = (): void => {
      letGo(this.sessions, sessionKey, holder);
      letGo(this.bearers, bearerKey, holder);
    };
    return { bearer, session, release };
  }

  /** Tests check that nothing is left after the last close. */
  get size(): { bearers: number; sessions: number } {
    return { bearers: this.bearers.size, sessions: this.sessions.size };
  }
}

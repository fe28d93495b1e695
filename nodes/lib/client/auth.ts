// Bearer token and M2M session management (docs/thingspace-api.md, "Access token" and "Session").
//
// Both are shared by every call of one client and fetched single-flight: concurrent callers
// wait on the same token request and the same login. A shared request is not tied to any
// one caller's signal (a caller that gives up stops waiting, the others keep theirs); it is
// bounded by the request timeout and cancelled by close().
//
// Lockout (docs/thingspace-api.md, "Session"): five failed logins lock the Verizon user. Once the server has said the
// credentials are wrong, the rejection is remembered and every later call fails with it
// without sending anything, until a new client is built (a redeploy).
//
// Dependencies run one way: the client uses this session; this session uses the transport,
// the client's secrets (it records the live tokens there for masking) and the log, and
// never calls back into the client.
import { TOKEN_PATH, M2M_ROOT } from '../types';
import { abortedError, badResponse, errorFromResponse, parseJson, type Operation } from './classify';
import type { ClientConfig } from './config';
import { ThingSpaceError } from './errors';
import type { HttpTransport } from './http';
import type { ClientLog } from './log';
import type { Secrets } from './secrets';

const REVOKE_PATH = '/api/ts/v1/oauth2/revoke';

export interface Tokens {
  bearer: string;
  session: string;
}

/**
 * A bearer is asked for again only once it has run out. Inside its lifetime the token
 * endpoint hands back the same token with a shorter `expires_in` (docs/thingspace-api.md, "Access token"), so refreshing
 * early (docs/thingspace-api.md, "Access token" and "Session"'s "a minute early") buys nothing: each early answer would only schedule
 * another early request, a handful per lifetime. A call that races the expiry by the
 * answer's latency is refused (900901) and retried once with a new token (see call()).
 */
export function refreshDelayMs(expiresInSec: number): number {
  return expiresInSec * 1000;
}

/** Waits for a shared promise, but lets this caller stop waiting when its own signal aborts. */
export function waitFor<T>(shared: Promise<T>, signal: AbortSignal | undefined, operation: Operation): Promise<T> {
  if (signal === undefined) return shared;
  if (signal.aborted) return Promise.reject(abortedError(operation));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(operation));
    signal.addEventListener('abort', onAbort, { once: true });
    shared.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function singleFlight<T>(start: () => Promise<T>, clear: () => void): Promise<T> {
  const flight = start().finally(clear);
  // Every waiter may have given up; the shared request must not become an unhandled rejection.
  flight.catch(() => undefined);
  return flight;
}

function expiresInSec(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** base64 of `clientId:clientSecret`, the token request's Basic credentials (a secret). */
export function basicCredentials(clientId: string, clientSecret: string): string {
  return Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64');
}

export class AuthSession {
  private bearer?: { token: string; refreshAt: number };
  private session?: string;
  private tokenFlight?: Promise<string>;
  private loginFlight?: Promise<string>;
  private rejectedError?: ThingSpaceError;
  /** The last bearer an M2M call refused, so we notice when the token endpoint hands it back. */
  private refusedBearer?: string;
  private readonly basic: string;
  private readonly now: () => number;

  constructor(
    private readonly cfg: ClientConfig,
    private readonly http: HttpTransport,
    private readonly secrets: Secrets,
    private readonly log: ClientLog,
  ) {
    this.basic = 'Basic ' + basicCredentials(cfg.clientId, cfg.clientSecret);
    this.now = cfg.now;
  }

  get rejected(): ThingSpaceError | undefined {
    return this.rejectedError;
  }

  throwIfRejected(): void {
    if (this.rejectedError) throw this.rejectedError;
  }

  /** Bearer and session for one M2M call, fetching whichever is missing. */
  async tokens(signal?: AbortSignal): Promise<Tokens> {
    const session = await this.sessionToken(signal);
    const bearer = await this.bearerToken(signal);
    return { bearer, session };
  }

  async bearerToken(signal?: AbortSignal): Promise<string> {
    this.throwIfRejected();
    if (this.bearer && this.now() < this.bearer.refreshAt) return this.bearer.token;
    this.tokenFlight ??= singleFlight(
      () => this.requestToken(),
      () => (this.tokenFlight = undefined),
    );
    return waitFor(this.tokenFlight, signal, 'token');
  }

  async sessionToken(signal?: AbortSignal): Promise<string> {
    this.throwIfRejected();
    if (this.session !== undefined) return this.session;
    this.loginFlight ??= singleFlight(
      () => this.loginWithFreshBearer(),
      () => (this.loginFlight = undefined),
    );
    return waitFor(this.loginFlight, signal, 'login');
  }

  /** Forget a bearer the server refused, unless someone already replaced it. */
  dropBearer(token: string): void {
    if (this.bearer?.token !== token) return;
    this.bearer = undefined;
    this.secrets.setBearer(undefined);
    this.refusedBearer = token;
  }

  /** Forget a session the server refused, unless a newer login already replaced it, so a
   *  burst of calls that all saw the same expired session causes one login, not many. */
  dropSession(session: string): void {
    if (this.session !== session) return;
    this.session = undefined;
    this.secrets.setSession(undefined);
  }

  /** A new bearer. Inside its hour the token endpoint hands back the same token (docs/thingspace-api.md, "Access token");
   *  if that is the one just refused, it is revoked (the documented way to get a new one)
   *  and asked for once more. No other retry. */
  async requestToken(signal?: AbortSignal): Promise<string> {
    const token = await this.tokenOnce(signal);
    if (token !== this.refusedBearer) return token;
    this.refusedBearer = undefined;
    try {
      await this.revoke(token, signal);
    } catch (err) {
      this.log.debug(`POST revoke failed (${err instanceof ThingSpaceError ? err.kind : 'error'})`);
    }
    return this.tokenOnce(signal);
  }

  private async tokenOnce(signal?: AbortSignal): Promise<string> {
    const res = await this.http.send({
      operation: 'token',
      method: 'POST',
      path: TOKEN_PATH,
      headers: { Authorization: this.basic, 'Content-Type': 'application/x-www-form-urlencoded' },
      data: 'grant_type=client_credentials',
      signal,
    });
    if (res.status !== 200) throw this.failed(errorFromResponse('token', res), `POST token -> ${res.status}`);
    const body = parseJson('token', res) as Record<string, unknown> | null;
    const token = body?.access_token;
    const lifetime = expiresInSec(body?.expires_in);
    if (typeof token !== 'string' || token === '' || lifetime === undefined) {
      throw badResponse('token', res.status, 'the token answer has no access_token or expires_in');
    }
    this.bearer = { token, refreshAt: this.now() + refreshDelayMs(lifetime) };
    this.secrets.setBearer(token);
    this.log.debug(`POST token -> 200 (expires in ${lifetime} s)`);
    return token;
  }

  private async revoke(token: string, signal?: AbortSignal): Promise<void> {
    const res = await this.http.send({
      operation: 'revoke',
      method: 'POST',
      path: REVOKE_PATH,
      headers: { Authorization: this.basic, 'Content-Type': 'application/x-www-form-urlencoded' },
      data: `grant_type=client_credentials&token=${encodeURIComponent(token)}`,
      signal,
    });
    this.log.debug(`POST revoke -> ${res.status}`);
  }

  /** One login with the given bearer, never retried. */
  async loginOnce(bearer: string, signal?: AbortSignal): Promise<string> {
    const res = await this.http.send({
      operation: 'login',
      method: 'POST',
      path: `${M2M_ROOT}/session/login`,
      headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
      data: JSON.stringify({ username: this.cfg.username, password: this.cfg.password }),
      signal,
    });
    if (res.status !== 200) throw this.failed(errorFromResponse('login', res), `POST session/login -> ${res.status}`);
    const body = parseJson('login', res) as Record<string, unknown> | null;
    const session = body?.sessionToken;
    if (typeof session !== 'string' || session === '') throw badResponse('login', res.status, 'the login answer has no sessionToken');
    this.session = session;
    this.secrets.setSession(session);
    this.log.debug('POST session/login -> 200');
    return session;
  }

  /** A login refused for its bearer (not for the password) gets a new bearer and one more try. */
  private async loginWithFreshBearer(): Promise<string> {
    const bearer = await this.bearerToken();
    try {
      return await this.loginOnce(bearer);
    } catch (err) {
      if (!(err instanceof ThingSpaceError) || err.kind !== 'bearer_expired') throw err;
      this.dropBearer(bearer);
      return this.loginOnce(await this.bearerToken());
    }
  }

  private failed(err: ThingSpaceError, line: string): ThingSpaceError {
    const clean = this.secrets.redactError(err);
    const text = `${line}${clean.errorCode ? ` (${clean.errorCode})` : ''}`;
    if (clean.kind === 'credentials_rejected') this.log.warn(text);
    else this.log.debug(text);
    if (clean.kind === 'credentials_rejected') this.rejectedError = clean;
    return clean;
  }
}

// Token, revoke and login (docs/thingspace-api.md, "Access token" and "Session"), each sent
// once: sharing and retrying them is shared-auth.ts's job.
import { TOKEN_PATH, M2M_ROOT } from '../types';
import { abortedError, badResponse, errorFromResponse, parseJson, type Operation, type RawResponse } from './classify';
import { ThingSpaceError } from './errors';
import type { HttpTransport } from './http';
import type { RefusalMemory } from './login-refusals';
import type { ClientLog, Secrets } from './secrets';

const REVOKE_PATH = '/api/ts/v1/oauth2/revoke';

export interface AuthContext {
  http: HttpTransport;
  secrets: Secrets;
  log: ClientLog;
  /** Where refused logins are remembered; without it, only for the session's life. */
  refusals?: RefusalMemory;
}

/** Waits for a shared promise, but lets this caller stop waiting when its own signal aborts. */
export function waitFor<T>(shared: Promise<T>, signal: AbortSignal | undefined, operation: Operation): Promise<T> {
  if (signal === undefined) return shared;
  if (signal.aborted) return Promise.reject(abortedError(operation));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(operation));
    signal.addEventListener('abort', onAbort, { once: true });
    void shared.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function expiresInSec(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** base64 of `clientId:clientSecret`, the token request's Basic credentials (a secret). */
export function basicCredentials(clientId: string, clientSecret: string): string {
  return Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64');
}

function failed(ctx: AuthContext, err: ThingSpaceError, line: string): ThingSpaceError {
  const clean = ctx.secrets.redactError(err);
  const text = `${line}${clean.errorCode ? ` (${clean.errorCode})` : ''}`;
  if (clean.kind === 'credentials_rejected') ctx.log.warn(text);
  else ctx.log.debug(text);
  return clean;
}

/** `basic` is the whole `Basic ...` header value. */
function oauthPost(ctx: AuthContext, operation: 'token' | 'revoke', path: string, basic: string, data: string, signal?: AbortSignal): Promise<RawResponse> {
  const headers = { Authorization: basic, 'Content-Type': 'application/x-www-form-urlencoded' };
  return ctx.http.send({ operation, method: 'POST', path, headers, data, signal });
}

export async function fetchToken(ctx: AuthContext, basic: string, signal?: AbortSignal): Promise<{ token: string; lifetimeSec: number }> {
  const res = await oauthPost(ctx, 'token', TOKEN_PATH, basic, 'grant_type=client_credentials', signal);
  if (res.status !== 200) throw failed(ctx, errorFromResponse('token', res), `POST token -> ${res.status}`);
  const body = parseJson('token', res) as Record<string, unknown> | null;
  const token = body?.access_token;
  const lifetime = expiresInSec(body?.expires_in);
  if (typeof token !== 'string' || token === '' || lifetime === undefined) {
    throw badResponse('token', res.status, 'the token answer has no access_token or expires_in');
  }
  ctx.log.debug(`POST token -> 200 (expires in ${lifetime} s)`);
  return { token, lifetimeSec: lifetime };
}

export async function revokeToken(ctx: AuthContext, basic: string, token: string): Promise<void> {
  const res = await oauthPost(ctx, 'revoke', REVOKE_PATH, basic, `grant_type=client_credentials&token=${encodeURIComponent(token)}`);
  ctx.log.debug(`POST revoke -> ${res.status}`);
}

/** One login with the given bearer; answers the session token. */
export async function loginOnce(ctx: AuthContext, bearer: string, username: string, password: string, signal?: AbortSignal): Promise<string> {
  const res = await ctx.http.send({
    operation: 'login',
    method: 'POST',
    path: `${M2M_ROOT}/session/login`,
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
    data: JSON.stringify({ username, password }),
    signal,
  });
  if (res.status !== 200) throw failed(ctx, errorFromResponse('login', res), `POST session/login -> ${res.status}`);
  const body = parseJson('login', res) as Record<string, unknown> | null;
  const session = body?.sessionToken;
  if (typeof session !== 'string' || session === '') throw badResponse('login', res.status, 'the login answer has no sessionToken');
  ctx.log.debug('POST session/login -> 200');
  return session;
}

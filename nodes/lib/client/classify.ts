// The one place that gives a failed exchange its kind. Errors are built fresh from a few fields:
// a transport error can carry the bearer, Basic credentials or proxy password.
import { ThingSpaceError, type ErrorKind, type ThingSpaceErrorInit } from './errors';

export interface RawResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string | undefined>;
  /** Text: a malformed body is ours to classify. */
  body: string;
}

/** Our own abort or timer, which the transport error cannot tell. */
export type AbortCause = 'caller' | 'timeout' | undefined;

const LABEL = {
  token: 'the access token request',
  revoke: 'the access token revocation',
  login: 'the session login',
  history: 'the SMS history request',
  startCallbacks: 'the startCallbacks request',
  registerCallback: 'the callback registration',
  listCallbacks: 'the callback listing',
  deleteCallback: 'the callback deletion',
  sendSms: 'the SMS send request',
};

export type Operation = keyof typeof LABEL;

const MAX_ERROR_TEXT = 300;

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value.length > MAX_ERROR_TEXT ? value.slice(0, MAX_ERROR_TEXT) + '...' : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

type Extra = Pick<ThingSpaceErrorInit, 'status' | 'errorCode' | 'errorMessage' | 'retryAfterMs' | 'requestSent'>;

function make(kind: ErrorKind, operation: Operation, message: string, extra: Extra = {}): ThingSpaceError {
  return new ThingSpaceError({ kind, message, operation, ...extra });
}

export function badResponse(operation: Operation, status: number | undefined, why: string): ThingSpaceError {
  return make('bad_response', operation, `Unexpected answer from ThingSpace to ${LABEL[operation]}: ${why}`, { status });
}

export function parseJson(operation: Operation, res: RawResponse): unknown {
  if (res.body.trim() === '') throw badResponse(operation, res.status, 'the body is empty');
  if (/html/i.test(res.headers['content-type'] ?? '') || /^\s*</.test(res.body)) throw badResponse(operation, res.status, 'the body is an HTML page, not JSON');
  try {
    return JSON.parse(res.body);
  } catch {
    throw badResponse(operation, res.status, 'the body is not valid JSON');
  }
}

/** M2M, gateway `fault` or OAuth shape (docs/thingspace-api.md, "Errors"). */
function errorInfo(body: string): Extra {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return {};
  }
  if (parsed === null || typeof parsed !== 'object') return {};
  const o = parsed as Record<string, unknown>;
  if (text(o.errorCode) !== undefined) return { errorCode: text(o.errorCode), errorMessage: text(o.errorMessage) };
  if (o.fault !== null && typeof o.fault === 'object') {
    const f = o.fault as Record<string, unknown>;
    return { errorCode: text(f.code), errorMessage: text(f.description) ?? text(f.message) };
  }
  if (text(o.error) !== undefined) return { errorCode: text(o.error), errorMessage: text(o.error_description) };
  return {};
}

/** Retry-After (seconds or an HTTP date, RFC 9110) in ms; undefined if absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function withCode(code: string | undefined): string {
  return code === undefined ? '' : ` (${code})`;
}

const BEARER_FAULTS = new Set(['900901', '900902']);

export function errorFromResponse(operation: Operation, res: RawResponse): ThingSpaceError {
  const { status } = res;
  const info = errorInfo(res.body);
  const extra = { status, ...info };
  const code = info.errorCode;
  const m2m = operation !== 'token' && operation !== 'revoke' && operation !== 'login';

  // These two leave the client only when the renewed token or session was refused too.
  const answer = `(HTTP ${status}${code === undefined ? '' : `, ${code}`})`;
  // Keyed on the code: one integration saw it on a 403 (docs/thingspace-api.md, "Open questions" 7).
  if (m2m && code !== undefined && code.includes('.SessionToken.')) {
    return make('session_expired', operation, `ThingSpace refused the session on ${LABEL[operation]} right after it was renewed ${answer}`, extra);
  }
  if (operation !== 'token' && ((code !== undefined && BEARER_FAULTS.has(code)) || status === 401)) {
    return make('bearer_expired', operation, `ThingSpace refused the access token on ${LABEL[operation]} right after it was renewed ${answer}`, extra);
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
    const after = retryAfterMs === undefined ? '' : `, retry after ${Math.ceil(retryAfterMs / 1000)} s`;
    return make('rate_limited', operation, `ThingSpace is rate limiting ${LABEL[operation]}${after}`, { ...extra, retryAfterMs });
  }
  if (status === 408) return make('timeout', operation, `ThingSpace timed out ${LABEL[operation]} (HTTP 408)`, extra);
  if (status >= 500) return make('server', operation, `ThingSpace server error ${status} on ${LABEL[operation]}${withCode(code)}`, extra);
  if (operation === 'token' && (status === 400 || status === 401)) {
    return make('credentials_rejected', operation, `ThingSpace rejected the app key and secret${withCode(code)}`, extra);
  }
  // 404 or gateway 900906 ("no matching resource") is a wrong server, not a wrong password.
  if (operation === 'login' && status >= 400 && status < 500 && status !== 404 && code !== '900906') {
    return make('credentials_rejected', operation, `ThingSpace rejected the session login${withCode(code)}`, extra);
  }
  if (m2m && status >= 400 && status < 500) return make('api', operation, `ThingSpace refused ${LABEL[operation]}${withCode(code ?? `HTTP ${status}`)}`, extra);
  return make('bad_response', operation, `Unexpected answer from ThingSpace to ${LABEL[operation]}: HTTP ${status}${withCode(code)}`, extra);
}

function errorCodeOf(err: unknown): string | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const { code, cause } = err as { code?: unknown; cause?: unknown };
  if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  return cause === err ? undefined : errorCodeOf(cause);
}

const CERTIFICATE_PROBLEMS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'its chain ends in a self-signed certificate that is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its issuer is not trusted',
  UNABLE_TO_GET_ISSUER_CERT: 'its issuer is not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its issuer is not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'it was issued for another host name',
  HOSTNAME_MISMATCH: 'it was issued for another host name',
  CERT_REVOKED: 'it has been revoked',
  CERT_UNTRUSTED: 'it is not trusted',
  CERT_REJECTED: 'it is not trusted',
  CERT_SIGNATURE_FAILURE: 'its signature is invalid',
  UNABLE_TO_DECRYPT_CERT_SIGNATURE: 'its signature is invalid',
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 'its issuer key cannot be read',
  ERROR_IN_CERT_NOT_BEFORE_FIELD: 'its validity dates cannot be read',
  ERROR_IN_CERT_NOT_AFTER_FIELD: 'its validity dates cannot be read',
  CERT_CHAIN_TOO_LONG: 'its chain is too long',
  PATH_LENGTH_EXCEEDED: 'its chain is too long',
  INVALID_CA: 'its chain contains a certificate that is not a CA',
  INVALID_PURPOSE: 'it is not meant for a TLS server',
};

/** Only the error's code is read. Callers that cannot tell whether the request was written
 *  pass `requestSent` true, the safe answer. */
export function errorFromTransport(
  operation: Operation,
  err: unknown,
  cause: AbortCause,
  timeoutMs: number,
  proxied = false,
  requestSent = true,
): ThingSpaceError {
  const sent = { requestSent };
  if (cause === 'caller') return make('aborted', operation, `${LABEL[operation]} was cancelled`, sent);
  const code = errorCodeOf(err);
  if (cause === 'timeout' || code === 'ETIMEDOUT') {
    return make('timeout', operation, `No answer from ThingSpace to ${LABEL[operation]} within ${timeoutMs} ms`, sent);
  }
  const problem = code === undefined ? undefined : CERTIFICATE_PROBLEMS[code];
  if (problem !== undefined) {
    return make('tls', operation, `The TLS certificate of the ThingSpace server is not trusted on ${LABEL[operation]}: ${problem} (${code})`, sent);
  }
  const where = proxied ? ' through the proxy' : '';
  return make('network', operation, `Could not reach ThingSpace${where} for ${LABEL[operation]}${withCode(code ?? 'connection failed')}`, sent);
}

/** Not ThingSpace's answer, so no `status`; the tunnel never opened, so nothing was sent. */
export function proxyRefused(operation: Operation, status: number): ThingSpaceError {
  return make('network', operation, `The proxy refused to connect to ThingSpace for ${LABEL[operation]} (HTTP ${status} from the proxy)`, {
    requestSent: false,
  });
}

/** For callers cancelled while waiting on someone else's request. */
export function abortedError(operation: Operation): ThingSpaceError {
  return make('aborted', operation, `${LABEL[operation]} was cancelled`);
}

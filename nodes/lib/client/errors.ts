// One error with a kind, decided in classify.ts, so retry policy and messages never parse strings.
import type { LoginRefusal } from './login-refusals';

/** The kinds of failure, with our own code for `msg.error.code` when the API gave none (docs/errors.md). */
export const ERROR_CODES = {
  /** Never retried: five failed logins lock the Verizon user (docs/thingspace-api.md, "Session"). */
  credentials_rejected: 'CREDENTIALS_REJECTED',
  /** 401 or gateway 900901/900902, seen only when a renewed token was refused too: not a rejection of the credentials. */
  bearer_expired: 'BAD_RESPONSE',
  /** A `.SessionToken.` code, any status; seen only if a new session failed too. */
  session_expired: 'BAD_RESPONSE',
  /** 429; `retryAfterMs` carries Retry-After when given. */
  rate_limited: 'RATE_LIMITED',
  server: 'SERVER_ERROR',
  network: 'NETWORK',
  tls: 'TLS_CERTIFICATE',
  timeout: 'TIMEOUT',
  /** Malformed JSON, wrong shape, oversize body, unexpected status, Location off-path. */
  bad_response: 'BAD_RESPONSE',
  /** Any other M2M error body, e.g. REQUEST_FAILED.AccountNotFound. */
  api: 'BAD_RESPONSE',
  bad_config: 'BAD_CONFIG',
  /** Ours, or a flow's listener that threw: not the API's fault. */
  internal: 'ERROR',
  /** Not an error to report. */
  aborted: 'ABORTED',
} as const;

export type ErrorKind = keyof typeof ERROR_CODES;

export class ThingSpaceError extends Error {
  readonly kind: ErrorKind;
  readonly status?: number;
  /** M2M `errorCode`, gateway `fault.code` or OAuth `error`, as received. */
  readonly errorCode?: string;
  /** Never parsed: docs/thingspace-api.md, "Errors" says it may change. */
  readonly errorMessage?: string;
  /** From Retry-After, in milliseconds. */
  readonly retryAfterMs?: number;
  readonly operation?: string;
  /** False only when the request certainly never reached the server: only then is an SMS send retried. */
  readonly requestSent?: boolean;
  /** Statuses name the user from it; `remembered`: recalled, no request made. */
  readonly login?: LoginRefusal & { remembered: boolean };

  constructor(init: ThingSpaceErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ThingSpaceError';
    this.kind = init.kind;
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.errorMessage = init.errorMessage;
    this.retryAfterMs = init.retryAfterMs;
    this.operation = init.operation;
    this.requestSent = init.requestSent;
    if (init.login) this.login = init.login;
  }

  /** `msg.error.code`: the API's errorCode where it gave one, else our fixed code. */
  get code(): string {
    return this.errorCode ?? ERROR_CODES[this.kind];
  }

  /** Safe to log or put on a message: no request, no headers, no secrets. */
  toJSON(): Record<string, unknown> {
    const { name, kind, code, message, status, errorCode, errorMessage, retryAfterMs, operation, requestSent, login } = this;
    return { name, kind, code, message, status, errorCode, errorMessage, retryAfterMs, operation, requestSent, ...(login ? { login } : {}) };
  }
}

/** `cause` is behind an 'internal' error; never an axios error, which holds the request's headers. */
export type ThingSpaceErrorInit = Pick<
  ThingSpaceError,
  'kind' | 'status' | 'errorCode' | 'errorMessage' | 'retryAfterMs' | 'operation' | 'requestSent' | 'login'
> & {
  message: string;
  cause?: unknown;
};

/** The one way an unknown failure becomes a ThingSpaceError ('internal', the original as `cause`). */
export function unexpected(err: unknown, operation: string, what = 'Unexpected error'): ThingSpaceError {
  if (err instanceof ThingSpaceError) return err;
  const text = err instanceof Error ? err.message : String(err);
  // An HTTP library's error holds the request, headers and all: its text only.
  const holdsRequest = typeof err === 'object' && err !== null && ('config' in err || 'request' in err || 'response' in err);
  return new ThingSpaceError({ kind: 'internal', message: `${what}: ${text}`, operation, cause: holdsRequest ? undefined : err });
}

/** The stack behind an 'internal' error, for the debug log (mask it first: secrets.ts). */
export function causeStack(err: ThingSpaceError): string | undefined {
  if (err.kind !== 'internal' || !(err.cause instanceof Error)) return undefined;
  return err.cause.stack ?? `${err.cause.name}: ${err.cause.message}`;
}

export function badConfig(message: string, operation = 'config'): ThingSpaceError {
  return new ThingSpaceError({ kind: 'bad_config', message, operation });
}

export function isThingSpaceError(e: unknown): e is ThingSpaceError {
  return e instanceof ThingSpaceError;
}

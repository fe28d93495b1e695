// Every failure of a ThingSpace call becomes one ThingSpaceError with a kind, decided in
// one place (classify.ts), so retry policy and user messages never parse strings twice.
import type { LoginRefusal } from './login-refusals';

export type ErrorKind =
  /** The server said the app key/secret or the UWS user/password are wrong. Never retried:
   *  five failed logins lock the Verizon account (docs/thingspace-api.md, "Session"). */
  | 'credentials_rejected'
  /** Bearer token invalid or expired (401, gateway fault 900901/900902): fetch a new token, retry once.
   *  Callers see it only when the new token was refused too. */
  | 'bearer_expired'
  /** Any `.SessionToken.` errorCode, whatever the HTTP status (docs/thingspace-api.md, "Errors" and "Open questions" 7): log in again,
   *  retry once. Callers see it only when the new session was refused too. */
  | 'session_expired'
  /** 429; `retryAfterMs` carries Retry-After when given. */
  | 'rate_limited'
  /** 5xx. */
  | 'server'
  /** Connection refused/reset, DNS. */
  | 'network'
  /** The server's TLS certificate is not trusted (expired, self-signed, wrong host, unknown CA). */
  | 'tls'
  /** No answer within the request timeout. */
  | 'timeout'
  /** Malformed JSON, wrong shape, oversize body, unexpected status, Location off-path. */
  | 'bad_response'
  /** An M2M error body other than the kinds above (e.g. REQUEST_FAILED.AccountNotFound). */
  | 'api'
  /** Our own configuration is unusable (account name, server URL, missing credential). */
  | 'bad_config'
  /** A bug of ours, or a flow listener that threw while a block was handed on: not the API's fault. */
  | 'internal'
  /** The caller aborted (stop, close). Not an error to report. */
  | 'aborted';

/** Our own fixed codes, used for `msg.error.code` when the API gave no errorCode (README, "Errors"). */
export const ERROR_CODES = {
  credentials_rejected: 'CREDENTIALS_REJECTED',
  // Refused right after a renewal the credentials passed: not a rejection of them, and an
  // answer ThingSpace should not give. Its own code is used when the answer has one.
  bearer_expired: 'BAD_RESPONSE',
  session_expired: 'BAD_RESPONSE',
  rate_limited: 'RATE_LIMITED',
  server: 'SERVER_ERROR',
  network: 'NETWORK',
  tls: 'TLS_CERTIFICATE',
  timeout: 'TIMEOUT',
  bad_response: 'BAD_RESPONSE',
  api: 'BAD_RESPONSE',
  bad_config: 'BAD_CONFIG',
  internal: 'ERROR',
  aborted: 'ABORTED',
} as const satisfies Record<ErrorKind, string>;

export interface ThingSpaceErrorInit {
  kind: ErrorKind;
  message: string;
  /** HTTP status, when there was a response. */
  status?: number;
  /** The API's own code exactly as received: M2M `errorCode`, gateway `fault.code`, or OAuth `error`. */
  errorCode?: string;
  /** The API's own message as received (never parsed: docs/thingspace-api.md, "Errors" says it may change). */
  errorMessage?: string;
  /** From Retry-After, in milliseconds. */
  retryAfterMs?: number;
  /** Which call failed, e.g. `token`, `login`, `history`. */
  operation?: string;
  /** For a failure without an answer: false when the request certainly never reached the
   *  server (refused, DNS, a TLS handshake that failed, a proxy that refused the tunnel),
   *  true when it was written and the server may have acted on it. A request that cannot be
   *  repeated safely (sending an SMS) is retried only when this is false. */
  requestSent?: boolean;
  /** A refused login: whose, the failed logins recorded, and whether it was only recalled
   *  (no request made). Statuses name the user from it. */
  login?: LoginRefusal & { remembered: boolean };
}

export class ThingSpaceError extends Error {
  readonly kind: ErrorKind;
  readonly status?: number;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly retryAfterMs?: number;
  readonly operation?: string;
  readonly requestSent?: boolean;
  readonly login?: LoginRefusal & { remembered: boolean };

  constructor(init: ThingSpaceErrorInit) {
    super(init.message);
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

  /** A plain object safe to log or put on a message: no request, no headers, no secrets. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      code: this.code,
      message: this.message,
      status: this.status,
      errorCode: this.errorCode,
      errorMessage: this.errorMessage,
      retryAfterMs: this.retryAfterMs,
      operation: this.operation,
      requestSent: this.requestSent,
      ...(this.login ? { login: this.login } : {}),
    };
  }
}

export function isThingSpaceError(e: unknown): e is ThingSpaceError {
  return e instanceof ThingSpaceError;
}

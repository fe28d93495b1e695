// A server could echo what it was sent into the `errorMessage` we copy, so every error and
// log line leaving the client is masked here, with the live bearer and session too.
import { basicCredentials } from './auth-requests';
import type { ClientConfig, LogHook, LogLevel } from './config';
import { ThingSpaceError } from './errors';

/** Shorter values are not masked: replacing every "ab" in a text would garble it for nothing. */
const MIN_SECRET_LENGTH = 4;
const MASK = '***';

export class Secrets {
  private readonly fixed: string[];
  /** The bearer and session of the call under way, set by the client. */
  live: string[] = [];

  constructor(cfg: Pick<ClientConfig, 'clientId' | 'clientSecret' | 'password'>) {
    this.fixed = [cfg.clientSecret, cfg.password, basicCredentials(cfg.clientId, cfg.clientSecret)];
  }

  redact(text: string): string {
    let out = text;
    for (const secret of [...this.fixed, ...this.live]) {
      if (secret.length < MIN_SECRET_LENGTH) continue;
      for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) {
        out = out.split(form).join(MASK);
      }
    }
    return out;
  }

  redactError(err: ThingSpaceError): ThingSpaceError {
    const clean = (t: string | undefined): string | undefined => (t === undefined ? undefined : this.redact(t));
    const message = this.redact(err.message);
    const errorCode = clean(err.errorCode);
    const errorMessage = clean(err.errorMessage);
    const cause = this.redactCause(err.cause);
    if (message === err.message && errorCode === err.errorCode && errorMessage === err.errorMessage && cause === err.cause) return err;
    return new ThingSpaceError({ ...err, message, errorCode, errorMessage, cause });
  }

  /** The cause itself when it holds no secret, else a copy with its message and stack masked. */
  private redactCause(cause: unknown): unknown {
    if (!(cause instanceof Error)) return typeof cause === 'string' ? this.redact(cause) : cause;
    const message = this.redact(cause.message);
    const stack = cause.stack === undefined ? undefined : this.redact(cause.stack);
    if (message === cause.message && stack === cause.stack) return cause;
    const copy = new Error(message);
    copy.name = cause.name;
    copy.stack = stack;
    return copy;
  }
}

/** Every line masked. Debug lines come per history block: callers check `debugOn` before building them. */
export type ClientLog = ReturnType<typeof clientLog>;

export function clientLog(hook: LogHook | undefined, debug: boolean, secrets: Secrets, prefix = '') {
  const write = (level: LogLevel, text: string): void => {
    try {
      hook?.(level, secrets.redact(prefix + text));
    } catch {
      // A failing log hook must not fail the call.
    }
  };
  const debugOn = hook !== undefined && debug;
  return {
    debugOn,
    debug: (text: string) => {
      if (debugOn) write('debug', text);
    },
    info: (text: string) => write('info', text),
    warn: (text: string) => write('warn', text),
  };
}

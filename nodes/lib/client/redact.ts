// Defence in depth: our own error texts never contain a secret, but the API's `errorMessage`
// is copied onto errors and a server could echo what it was sent. Every error and log line
// leaving the client passes through here.
import { ThingSpaceError } from './errors';

/** Shorter values are not masked: replacing every "ab" in a text would garble it for nothing. */
const MIN_SECRET_LENGTH = 4;
const MASK = '***';

export type Redactor = (text: string) => string;

export function makeRedactor(secrets: () => Array<string | undefined>): Redactor {
  return (text) => {
    let out = text;
    for (const secret of secrets()) {
      if (secret === undefined || secret.length < MIN_SECRET_LENGTH) continue;
      for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) {
        out = out.split(form).join(MASK);
      }
    }
    return out;
  };
}

export function redactError(err: ThingSpaceError, redact: Redactor): ThingSpaceError {
  const clean = (t: string | undefined): string | undefined => (t === undefined ? undefined : redact(t));
  const message = redact(err.message);
  const errorCode = clean(err.errorCode);
  const errorMessage = clean(err.errorMessage);
  if (message === err.message && errorCode === err.errorCode && errorMessage === err.errorMessage) return err;
  return new ThingSpaceError({
    kind: err.kind,
    message,
    status: err.status,
    errorCode,
    errorMessage,
    retryAfterMs: err.retryAfterMs,
    operation: err.operation,
  });
}

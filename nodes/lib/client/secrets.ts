// The secrets of one client, and their masking. Our own error texts never contain a secret,
// but the API's `errorMessage` is copied onto errors and a server could echo what it was
// sent: every error and log line leaving the client passes through `redact`.
//
// The auth session writes the live bearer and session here; the client and its log read
// them. Neither has to reach into the other for that (docs/architecture.md, "Client").
import { ThingSpaceError } from './errors';

/** Shorter values are not masked: replacing every "ab" in a text would garble it for nothing. */
const MIN_SECRET_LENGTH = 4;
const MASK = '***';

export class Secrets {
  private readonly fixed: string[];
  private bearer: string | undefined;
  private session: string | undefined;

  /** `basic` is the base64 `clientId:clientSecret` of the token request's Basic header. */
  constructor(clientSecret: string, password: string, basic: string) {
    this.fixed = [clientSecret, password, basic];
  }

  setBearer(token: string | undefined): void {
    this.bearer = token;
  }

  setSession(session: string | undefined): void {
    this.session = session;
  }

  redact(text: string): string {
    let out = text;
    for (const secret of [...this.fixed, this.bearer, this.session]) {
      if (secret === undefined || secret.length < MIN_SECRET_LENGTH) continue;
      for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) {
        out = out.split(form).join(MASK);
      }
    }
    return out;
  }

  /** The error itself when nothing in it needed masking, else a masked copy. */
  redactError(err: ThingSpaceError): ThingSpaceError {
    const clean = (t: string | undefined): string | undefined => (t === undefined ? undefined : this.redact(t));
    const message = this.redact(err.message);
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
      requestSent: err.requestSent,
      login: err.login,
    });
  }
}

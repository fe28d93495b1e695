// OAuth bearer tokens, M2M sessions and the login lockout (docs/thingspace-api.md, "Access token" and "Session").
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

export type BearerCheck = 'ok' | 'missing' | 'invalid';
export type SessionCheck = 'ok' | 'missing' | 'expired' | 'invalid';
export type LoginResult = { ok: true; sessionToken: string } | { ok: false; locked: boolean };

interface Session {
  lastUsed: number;
  expired: boolean;
}

/** Expired sessions are remembered (to answer Expired rather than Invalid) up to this many. */
const MAX_SESSIONS = 10_000;

export interface AuthSettings {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  tokenTtlSec: number;
  sessionIdleSec: number;
  lockoutAfter: number;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class Auth {
  private bearer?: { token: string; expiresAt: number };
  private readonly sessions = new Map<string, Session>();
  private readonly failures = new Map<string, number>();
  private readonly locked = new Set<string>();

  constructor(
    private settings: AuthSettings,
    private readonly now: () => number = Date.now,
  ) {}

  configure(settings: AuthSettings): void {
    this.settings = settings;
  }

  /** Basic `clientId:clientSecret` check; the header is never echoed anywhere. */
  clientOk(authorization: string | undefined): boolean {
    const m = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) return false;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return false;
    return same(decoded.slice(0, colon), this.settings.clientId) && same(decoded.slice(colon + 1), this.settings.clientSecret);
  }

  /** docs/thingspace-api.md, "Access token": asking again while the token lives returns the same token. `fresh` says whether one was minted. */
  issueToken(): { token: string; expiresIn: number; fresh: boolean } {
    const now = this.now();
    let fresh = false;
    if (!this.bearer || this.bearer.expiresAt <= now) {
      this.bearer = { token: randomBytes(18).toString('hex'), expiresAt: now + this.settings.tokenTtlSec * 1000 };
      fresh = true;
    }
    return { token: this.bearer.token, expiresIn: Math.max(0, Math.ceil((this.bearer.expiresAt - now) / 1000)), fresh };
  }

  revoke(token: string): void {
    if (this.bearer && this.bearer.token === token) this.bearer = undefined;
  }

  checkBearer(authorization: string | undefined): BearerCheck {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) return 'missing';
    if (!this.bearer || this.bearer.expiresAt <= this.now() || !same(m[1], this.bearer.token)) return 'invalid';
    return 'ok';
  }

  expireBearer(): void {
    this.bearer = undefined;
  }

  /** docs/thingspace-api.md, "Session": five consecutive failures lock the user; a locked user fails even with the right password. */
  login(username: unknown, password: unknown): LoginResult {
    const user = typeof username === 'string' ? username : '';
    if (this.locked.has(user)) return { ok: false, locked: true };
    const good = user === this.settings.username && typeof password === 'string' && same(password, this.settings.password);
    if (!good) {
      const count = (this.failures.get(user) ?? 0) + 1;
      this.failures.set(user, count);
      if (count >= this.settings.lockoutAfter) this.locked.add(user);
      return { ok: false, locked: false };
    }
    this.failures.delete(user);
    const sessionToken = randomUUID();
    this.sessions.set(sessionToken, { lastUsed: this.now(), expired: false });
    if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
    return { ok: true, sessionToken };
  }

  isLocked(username = this.settings.username): boolean {
    return this.locked.has(username);
  }

  unlock(username?: string): void {
    if (username === undefined) {
      this.locked.clear();
      this.failures.clear();
    } else {
      this.locked.delete(username);
      this.failures.delete(username);
    }
  }

  /** Sliding expiry (docs/thingspace-api.md, "Session"): each successful use restarts the idle clock. */
  checkSession(token: string | undefined): SessionCheck {
    if (!token) return 'missing';
    const session = this.sessions.get(token);
    if (!session) return 'invalid';
    const now = this.now();
    if (session.expired || now - session.lastUsed >= this.settings.sessionIdleSec * 1000) {
      session.expired = true;
      return 'expired';
    }
    session.lastUsed = now;
    return 'ok';
  }

  logout(token: string): void {
    this.sessions.delete(token);
  }

  expireSessions(): void {
    for (const session of this.sessions.values()) session.expired = true;
  }
}

// Five failed logins lock the Verizon user (docs/thingspace-api.md, "Session"), so a refused
// password is never sent again: it is remembered as a salted scrypt hash, never as itself.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface LoginRefusal {
  user: string;
  /** Failed logins this package caused since the user's last successful one. */
  failedLogins: number;
  /** ms since the epoch. */
  at: number;
}

/** Kept in a file or in Redis by the node-red layer. */
export interface RefusalMemory {
  refused(server: string, user: string, password: string): Promise<LoginRefusal | undefined>;
  recordRefusal(server: string, user: string, password: string): Promise<LoginRefusal>;
  recordSuccess(server: string, user: string): Promise<void>;
}

interface RefusedPassword {
  /** base64 salt and scrypt hash (N 16384, r 8, p 1, 32 bytes). */
  salt: string;
  hash: string;
  at: number;
}

export interface RefusalRecord {
  server: string;
  user: string;
  failedLogins: number;
  refused: RefusedPassword[];
}

/** Older refused passwords are forgotten beyond this (the user is locked long before). */
const KEPT = 10;
const KEY_BYTES = 32;

function hashOf(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, KEY_BYTES, (err, key) => (err ? reject(err) : resolve(key))));
}

export function recordKey(server: string, user: string): string {
  return `${server}|${user}`;
}

export async function findRefused(record: RefusalRecord | undefined, password: string): Promise<RefusedPassword | undefined> {
  for (const entry of record?.refused ?? []) {
    const want = Buffer.from(entry.hash, 'base64');
    const got = await hashOf(password, Buffer.from(entry.salt, 'base64'));
    if (want.length === got.length && timingSafeEqual(want, got)) return entry;
  }
  return undefined;
}

export async function withRefusal(record: RefusalRecord | undefined, server: string, user: string, password: string, now: number): Promise<RefusalRecord> {
  const salt = randomBytes(16);
  const entry: RefusedPassword = { salt: salt.toString('base64'), hash: (await hashOf(password, salt)).toString('base64'), at: now };
  const kept = (record?.refused ?? []).filter((e) => e.hash !== entry.hash).slice(-(KEPT - 1));
  return { server, user, failedLogins: (record?.failedLogins ?? 0) + 1, refused: [...kept, entry] };
}

/** Two views of one user's record (a file and Redis): every refused password, the larger count. */
export function mergeRecords(a: RefusalRecord | undefined, b: RefusalRecord | undefined): RefusalRecord | undefined {
  if (!a || !b) return a ?? b;
  const seen = new Set(a.refused.map((e) => e.hash));
  const refused = [...a.refused, ...b.refused.filter((e) => !seen.has(e.hash))].sort((x, y) => x.at - y.at).slice(-KEPT);
  return { server: a.server, user: a.user, failedLogins: Math.max(a.failedLogins, b.failedLogins), refused };
}

/** Anything that is not a record is ignored, never trusted. */
export function readRecord(value: unknown): RefusalRecord | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const r = value as Partial<RefusalRecord>;
  const text = (v: unknown): v is string => typeof v === 'string' && v !== '';
  if (!text(r.server) || !text(r.user) || !Number.isInteger(r.failedLogins) || !Array.isArray(r.refused)) return undefined;
  const refused = r.refused.filter((e: Partial<RefusedPassword>) => text(e?.salt) && text(e?.hash) && Number.isFinite(e?.at));
  return { server: r.server, user: r.user, failedLogins: Math.max(0, r.failedLogins as number), refused };
}

export function refusalText(r: LoginRefusal, remembered: boolean): string {
  const logins = r.failedLogins === 1 ? '1 failed login' : `${r.failedLogins} failed logins`;
  const when = remembered ? ` on ${new Date(r.at).toISOString()}` : '';
  return (
    `ThingSpace refused the login of user "${r.user}"${when}; ${logins} recorded by this package ` +
    `(ThingSpace locks the user after 5). This password is not tried again: correct it in the config node and deploy`
  );
}

// Checked in the client's constructor, so a bad configuration fails before any request.
import { isIPv4 } from 'node:net';
import { checkAccountName } from './account';
import { badConfig } from './errors';
import type { RefusalMemory } from './login-refusals';
import type { AuthRegistry } from './shared-auth';

export type LogLevel = 'debug' | 'info' | 'warn';
export type LogHook = (level: LogLevel, text: string) => void;

export interface ThingSpaceClientOptions {
  /** Host root, e.g. `https://thingspace.verizon.com`; plain http only for loopback hosts. */
  server: string;
  accountName: string;
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  /** Per request, wall clock; default 30000. */
  timeoutMs?: number;
  /** Default 2 MiB. */
  maxResponseBytes?: number;
  /** PEM CAs trusted instead of Node's list (NODE_EXTRA_CA_CERTS adds to it). Verification stays on. */
  ca?: string | Buffer | Array<string | Buffer>;
  log?: LogHook;
  /** Clock for token lifetimes, default Date.now. */
  now?: () => number;
  /** Default true; false skips building the per-block debug lines nobody reads. */
  logDebug?: boolean;
  /** The runtime's shared tokens and sessions; default: this client's own. */
  auth?: AuthRegistry;
  /** Default: nowhere. */
  refusals?: RefusalMemory;
}

/** `server` without a trailing slash. */
export type ClientConfig = ReturnType<typeof validateOptions>;

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 2 * 1024 * 1024;

/** Never echoes the value in an error: it may carry credentials. */
export function normaliseServer(server: unknown): string {
  if (typeof server !== 'string' || server.trim() === '') throw badConfig('The ThingSpace server URL is missing');
  const text = server.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badConfig('The ThingSpace server is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badConfig('The ThingSpace server URL must start with https://');
  if (url.username !== '' || url.password !== '') throw badConfig('The ThingSpace server URL must not contain credentials');
  if (text.includes('?') || text.includes('#')) throw badConfig('The ThingSpace server URL must not have a query or fragment');
  // Loopback only: plain http would send the secrets in clear text anywhere else.
  const host = url.hostname;
  if (url.protocol === 'http:' && host !== 'localhost' && host !== '[::1]' && !(isIPv4(host) && host.startsWith('127.'))) {
    throw badConfig('Plain http:// is allowed only for a local simulator (localhost, 127.0.0.1, ::1); use https://');
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

function requireText(value: unknown, label: string): string {
  if (typeof value !== 'string' || value === '') throw badConfig(`The ${label} is missing`);
  return value;
}

function positiveInt(value: unknown, fallback: number, label: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw badConfig(`${label} must be a positive integer`);
  return value;
}

const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';

function caOption(ca: unknown): ThingSpaceClientOptions['ca'] {
  if (ca === undefined) return undefined;
  const entries = Array.isArray(ca) ? ca : [ca];
  const pem = (e: unknown): boolean => (typeof e === 'string' || Buffer.isBuffer(e)) && e.includes(PEM_CERTIFICATE);
  if (entries.length === 0 || !entries.every(pem)) throw badConfig(`ca must be PEM certificate text (${PEM_CERTIFICATE}), or a list of them`);
  return ca as ThingSpaceClientOptions['ca'];
}

export function validateOptions(opts: ThingSpaceClientOptions) {
  const accountName = checkAccountName(opts.accountName);
  return {
    server: normaliseServer(opts.server),
    accountName,
    clientId: requireText(opts.clientId, 'client id (app key)'),
    clientSecret: requireText(opts.clientSecret, 'client secret (app secret)'),
    username: requireText(opts.username, 'username'),
    password: requireText(opts.password, 'password'),
    timeoutMs: positiveInt(opts.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs'),
    maxResponseBytes: positiveInt(opts.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, 'maxResponseBytes'),
    ca: caOption(opts.ca),
    log: opts.log,
    now: opts.now ?? Date.now,
    logDebug: opts.logDebug !== false,
  };
}

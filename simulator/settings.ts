// Defaults and validation of SimulatorOptions, shared by the programmatic API, the
// control interface (POST /_sim/options) and the CLI.
import type { FaultKind, FaultRule, SimulatorOptions, SimulatorTls } from './options';
import { ACCOUNT_NAME_PATTERN } from '../nodes/lib/types';
import { MAX_SEED } from './random';

/** `tls` is not among them: it is taken once, at start (server.ts). `seed` has no default. */
export type ResolvedOptions = Required<Omit<SimulatorOptions, 'tls' | 'seed'>> & { seed: number | undefined };

export const DEFAULT_OPTIONS: ResolvedOptions = {
  host: '127.0.0.1',
  port: 0,
  clientId: 'sim-client-id',
  clientSecret: 'sim-client-secret',
  username: 'sim-user',
  password: 'sim-password',
  accounts: ['0000123456-00001'],
  blockSize: 100,
  tokenTtlSec: 3600,
  sessionIdleSec: 1200,
  latencyMs: 0,
  withoutNext: 'redeliver',
  finalBlock: 'redeliver',
  staleNext: 'ignore',
  locationForm: 'relative',
  tokenStyle: 'int64',
  hasMoreData: 'present',
  callbackShape: 'nested',
  devices: 0,
  deviceEverySec: 5,
  lockoutAfter: 5,
  noticeDelayMs: 1000,
  noticeJitterMs: 0,
  noticeFailureRate: 0,
  noticeDuplicateRate: 0,
  noticeShape: 'nested',
  deviceReplies: 'off',
  // Programmatic users are tests: silent unless asked. The CLI turns logging on.
  quiet: true,
  seed: undefined,
};

const ENUMS: Partial<Record<keyof SimulatorOptions, readonly string[]>> = {
  withoutNext: ['redeliver', 'consume'],
  finalBlock: ['redeliver', 'ack-on-delivery'],
  staleNext: ['ignore', 'refuse'],
  locationForm: ['relative', 'prefixed', 'absolute'],
  tokenStyle: ['numeric', 'integer', 'int64', 'alnum'],
  hasMoreData: ['present', 'absent', 'contradicts'],
  callbackShape: ['nested', 'flat', 'soap-like'],
  noticeShape: ['nested', 'flat'],
  deviceReplies: ['off', 'echo', 'commands'],
};

const NUMBERS: Partial<Record<keyof SimulatorOptions, { min: number; max?: number; integer?: boolean }>> = {
  port: { min: 0, integer: true },
  blockSize: { min: 1, integer: true },
  tokenTtlSec: { min: 0 },
  sessionIdleSec: { min: 0 },
  latencyMs: { min: 0 },
  devices: { min: 0, integer: true },
  deviceEverySec: { min: 0.001 },
  lockoutAfter: { min: 1, integer: true },
  seed: { min: 0, max: MAX_SEED, integer: true },
  noticeDelayMs: { min: 0 },
  noticeJitterMs: { min: 0 },
  noticeFailureRate: { min: 0, max: 1 },
  noticeDuplicateRate: { min: 0, max: 1 },
};

const STRINGS: (keyof SimulatorOptions)[] = ['host', 'clientId', 'clientSecret', 'username', 'password'];

/** Throws a plain Error naming the first bad field; unknown fields are refused too (typos). */
export function validateOptions(partial: Partial<SimulatorOptions>): Partial<SimulatorOptions> {
  if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) {
    throw new Error('options must be an object');
  }
  for (const [key, value] of Object.entries(partial) as [keyof SimulatorOptions, unknown][]) {
    if (value === undefined) continue;
    if (key === 'tls') {
      validateTls(value);
      continue;
    }
    if (!(key in DEFAULT_OPTIONS)) throw new Error(`unknown option "${key}"`);
    const allowed = ENUMS[key];
    const range = NUMBERS[key];
    if (allowed) {
      if (typeof value !== 'string' || !allowed.includes(value)) {
        throw new Error(`option "${key}" must be one of ${allowed.join(', ')}`);
      }
    } else if (range) {
      const tooBig = range.max !== undefined && (value as number) > range.max;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < range.min || tooBig || (range.integer && !Number.isInteger(value))) {
        const upTo = range.max === undefined ? '' : ` and <= ${range.max}`;
        throw new Error(`option "${key}" must be a ${range.integer ? 'whole ' : ''}number >= ${range.min}${upTo}`);
      }
    } else if (STRINGS.includes(key)) {
      if (typeof value !== 'string' || value === '') throw new Error(`option "${key}" must be a non-empty string`);
    } else if (key === 'accounts') {
      if (!Array.isArray(value) || value.length === 0 || !value.every((a) => typeof a === 'string' && ACCOUNT_NAME_PATTERN.test(a))) {
        throw new Error('option "accounts" must be a non-empty array of account names (letters, digits, hyphen, 3-32)');
      }
    } else if (key === 'quiet') {
      if (typeof value !== 'boolean') throw new Error('option "quiet" must be true or false');
    }
  }
  return partial;
}

function validateTls(value: unknown): asserts value is SimulatorTls {
  const pem = (v: unknown): boolean => (typeof v === 'string' || Buffer.isBuffer(v)) && v.length > 0;
  const tls = value as Partial<SimulatorTls> | null;
  if (tls === null || typeof tls !== 'object' || !pem(tls.key) || !pem(tls.cert)) {
    throw new Error('option "tls" must be {key, cert} with PEM text');
  }
}

export function resolveOptions(opts: SimulatorOptions = {}): ResolvedOptions {
  validateOptions(opts);
  const defined = Object.fromEntries(Object.entries(opts).filter(([k, v]) => v !== undefined && k !== 'tls'));
  return { ...DEFAULT_OPTIONS, ...defined, accounts: [...(opts.accounts ?? DEFAULT_OPTIONS.accounts)] };
}

export const FAULT_KINDS: readonly FaultKind[] = [
  'server-error',
  'rate-limit',
  'hang',
  'reset',
  'reset-after',
  'malformed',
  'html',
  'empty',
  'oversize',
  'wrong-shape',
  'expire-bearer',
  'expire-session',
];

const ENDPOINTS = ['token', 'login', 'logout', 'history', 'startCallbacks', 'callbacks', 'sms', 'any'];

export function validateFaultRule(rule: FaultRule): FaultRule {
  if (rule === null || typeof rule !== 'object') throw new Error('a fault rule must be an object');
  if (!FAULT_KINDS.includes(rule.kind)) throw new Error(`fault "kind" must be one of ${FAULT_KINDS.join(', ')}`);
  if (rule.endpoint !== undefined && !ENDPOINTS.includes(rule.endpoint)) {
    throw new Error(`fault "endpoint" must be one of ${ENDPOINTS.join(', ')}`);
  }
  if (rule.count !== undefined && !(Number.isInteger(rule.count) && rule.count >= 1)) {
    throw new Error('fault "count" must be a whole number >= 1');
  }
  if (rule.skip !== undefined && !(Number.isInteger(rule.skip) && rule.skip >= 0)) {
    throw new Error('fault "skip" must be a whole number >= 0');
  }
  if (rule.probability !== undefined && !(typeof rule.probability === 'number' && rule.probability >= 0 && rule.probability <= 1)) {
    throw new Error('fault "probability" must be between 0 and 1');
  }
  if (rule.status !== undefined && !(Number.isInteger(rule.status) && rule.status >= 500 && rule.status <= 599)) {
    throw new Error('fault "status" must be a 5xx status');
  }
  if (rule.retryAfterSec !== undefined && !(typeof rule.retryAfterSec === 'number' && rule.retryAfterSec >= 0)) {
    throw new Error('fault "retryAfterSec" must be a number >= 0');
  }
  return rule;
}

// The config node's Coordination section, checked at deploy: none (nothing loaded), Redis or Redis Sentinel.
import type { Coordinator, CoordinationSettings, RedisPool } from '../coordination/coordinator';
import { checkRedisUrl, checkSentinels, type RedisTarget } from '../coordination/redis-url';
import type { ThingSpaceCredentials } from './config-node';
import { resolveRefs, type Lookup } from './env-refs';
import { NodeError, configError } from './report';

export interface CoordinationDef {
  coordination?: string;
  redisUrl?: string;
  /** Sentinel mode: "host:port, host:port, ..." and the master name they monitor. */
  sentinels?: string;
  sentinelMaster?: string;
  redisPrefix?: string;
  /** Seconds. */
  leaseTime?: string | number;
  instanceName?: string;
}

const DEFAULT_PREFIX = 'thingspace-sms:';
const DEFAULT_LEASE_S = 15;
const MIN_LEASE_S = 2;
const MAX_LEASE_S = 600;

/** undefined when coordination is off; throws a BAD_CONFIG NodeError naming the bad field. */
export function coordinationSettings(
  def: CoordinationDef,
  creds: { redisPassword?: string; sentinelPassword?: string } = {},
  lookup?: Lookup,
): CoordinationSettings | undefined {
  const mode = (def.coordination ?? 'none') || 'none';
  if (mode === 'none') return undefined;
  if (mode !== 'redis' && mode !== 'sentinel') throw configError(`Unknown coordination "${mode}": none, redis or sentinel`);
  let url: RedisTarget;
  try {
    url =
      mode === 'redis'
        ? checkRedisUrl(resolveRefs(def.redisUrl ?? '', 'The coordination Redis URL', lookup))
        : checkSentinels(
            resolveRefs(def.sentinels ?? '', 'The coordination Sentinels field', lookup),
            resolveRefs(def.sentinelMaster ?? '', 'The coordination Sentinel master name', lookup),
          );
  } catch (err) {
    throw err instanceof NodeError ? err : configError((err as Error).message);
  }
  const prefix = def.redisPrefix === undefined || def.redisPrefix === '' ? DEFAULT_PREFIX : def.redisPrefix;
  if (!/^[\x21-\x7e]{1,64}$/.test(prefix) || /[{}]/.test(prefix)) {
    throw configError('The coordination key prefix must be 1 to 64 printable characters, without spaces or braces');
  }
  const raw = def.leaseTime;
  const lease = raw === undefined || raw === '' ? DEFAULT_LEASE_S : Number(raw);
  if (!Number.isFinite(lease) || lease < MIN_LEASE_S || lease > MAX_LEASE_S) {
    throw configError(`Invalid lease time "${String(raw)}": ${MIN_LEASE_S} to ${MAX_LEASE_S} seconds`);
  }
  const runtime = resolveRefs(def.instanceName ?? '', 'The coordination instance name', lookup).trim() || undefined;
  const sentinelPassword = mode === 'sentinel' ? creds.sentinelPassword || undefined : undefined;
  return { url, password: creds.redisPassword || undefined, sentinelPassword, prefix, leaseMs: Math.round(lease * 1000), runtime };
}

/** The config node's coordinator over its runtime's Redis connections, or undefined when coordination is off. */
export function coordinatorFor(def: CoordinationDef, creds: ThingSpaceCredentials, shared: { redis?: RedisPool }): Coordinator | undefined {
  const settings = coordinationSettings(def, creds);
  if (!settings) return undefined;
  // Required here, not imported: without coordination the layer is never loaded.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const made = require('../coordination/coordinator') as typeof import('../coordination/coordinator');
  return new made.Coordinator(settings, (shared.redis ??= new made.RedisPool()));
}

// Lua scripts, atomic on the server so "is this still my lease?" and what depends on it are one step
// (Redis 7 and Valkey 8 alike). Checks compare the whole "epoch|token|runtime" value, so a stale holder is refused.

/** An account's keys, under one hash tag ({...}: one Redis Cluster slot, so a script may touch them together): the
 *  lease ("epoch|token|runtime", with a time to live), the counter of epochs that fences a reader which lost its lease,
 *  the consumer's state (a hash: next, dedupe, pending, epoch), the prefix of the push dedupe keys, and the tag the
 *  replica heartbeat registers. `account`: the account key (nodes/lib/client/account.ts), `name@host`. */
export function accountKeys(prefix: string, account: string) {
  const base = `${prefix}{${account}}`;
  return { lease: `${base}:lease`, epoch: `${base}:epoch`, state: `${base}:state`, push: `${base}:push:`, tag: account };
}

export type AccountKeys = ReturnType<typeof accountKeys>;

/** The account's state in Redis outlives a quiet account this long. */
export const STATE_TTL_MS = 7 * 24 * 3600_000;

export type Script = typeof ACQUIRE;

/** KEYS lease, epoch. ARGV token, ttl ms, runtime, take ('1': take a free lease; '0': only look).
 *  -> {1, value} held by us now; {0, value} held by another; {0, ''} free and not taken. */
export const ACQUIRE = {
  name: 'acquire',
  source: `local cur = redis.call('GET', KEYS[1])
if cur then
  if string.match(cur, '^%d+|([^|]*)|') == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return {1, cur}
  end
  return {0, cur}
end
if ARGV[4] ~= '1' then return {0, ''} end
local epoch = redis.call('INCR', KEYS[2])
local value = epoch .. '|' .. ARGV[1] .. '|' .. ARGV[3]
redis.call('SET', KEYS[1], value, 'NX', 'PX', ARGV[2])
return {1, value}`,
};

/** Every write that needs the lease: renew, confirm (with `next`), give back, save the consumer's state.
 *  KEYS lease, state. ARGV value, lease ttl ms ('': left as is; 0: given back, as PEXPIRE 0 deletes),
 *  epoch, state ttl ms, then field, value pairs for the state. -> 1 done, 0 not ours (nothing written). */
export const FENCED = {
  name: 'fenced',
  source: `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if #ARGV > 4 then
  redis.call('HSET', KEYS[2], 'epoch', ARGV[3], unpack(ARGV, 5))
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
return 1`,
};

/** The replica heartbeat. KEYS replicas, accounts (sorted sets: member -> expiry in ms). ARGV replica id, ttl ms, account tags...
 *  -> {live replicas, known accounts}. Expiries are Redis's own clock (TIME). */
export const HEARTBEAT = {
  name: 'heartbeat',
  source: `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
for i = 3, #ARGV do redis.call('ZADD', KEYS[2], now + ttl, ARGV[i]) end
return {redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2])}`,
};

// Where coordination keeps what it keeps, under the configured prefix. The keys of one
// account share a hash tag ({...}), so a Redis Cluster puts them in one slot and a script
// may touch them together.

export interface AccountKeys {
  /** The reader's lease: "epoch|token|runtime", with a time to live. */
  lease: string;
  /** Incremented at each new lease: the epoch that fences a reader which lost its lease. */
  epoch: string;
  /** Hash: next, dedupe, pending, epoch (what the consumer persists). */
  state: string;
  /** Prefix of the shared push dedupe keys. */
  push: string;
  /** What the replica heartbeat registers as this account. */
  tag: string;
}

export interface ReplicaKeys {
  /** Sorted set: live replica id -> expiry (ms). */
  replicas: string;
  /** Sorted set: account tag -> expiry (ms). */
  accounts: string;
}

/** The account as ThingSpace knows it: the same account name on another server is another queue. */
export function accountTag(server: string, accountName: string): string {
  let host: string;
  try {
    host = new URL(server).host.toLowerCase();
  } catch {
    host = server.toLowerCase();
  }
  return `${accountName}@${host}`;
}

export function accountKeys(prefix: string, server: string, accountName: string): AccountKeys {
  const tag = accountTag(server, accountName);
  const base = `${prefix}{${tag}}`;
  return { lease: `${base}:lease`, epoch: `${base}:epoch`, state: `${base}:state`, push: `${base}:push:`, tag };
}

export function replicaKeys(prefix: string): ReplicaKeys {
  return { replicas: `${prefix}replicas`, accounts: `${prefix}accounts` };
}

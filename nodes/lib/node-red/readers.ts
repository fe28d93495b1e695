// One reader per account: two sms-queue-in nodes reading the same queue would race for
// its blocks, and each one's `next` would acknowledge SMS the other has not handed on.
// The registry lives at module level so it spans config nodes and flows in one runtime.

// Keyed by the account key (nodes/lib/client/account.ts), whichever node or config node names it.

const readers = new Map<string, string>();

/** Claims the account's queue for `nodeId`; returns the id of the node that holds it if taken. */
export function claimReader(accountKey: string, nodeId: string): string | undefined {
  const holder = readers.get(accountKey);
  if (holder !== undefined && holder !== nodeId) return holder;
  readers.set(accountKey, nodeId);
  return undefined;
}

export function releaseReader(accountKey: string, nodeId: string): void {
  if (readers.get(accountKey) === nodeId) readers.delete(accountKey);
}

// One reader per account: two sms-queue-in nodes reading the same queue would race for
// its blocks, and each one's `next` would acknowledge SMS the other has not handed on.
// The registry lives at module level so it spans config nodes and flows in one runtime.

const readers = new Map<string, string>();

function key(server: string, accountName: string): string {
  return `${server.replace(/\/+$/, '').toLowerCase()}|${accountName}`;
}

/** Claims the account's queue for `nodeId`; returns the id of the node that holds it if taken. */
export function claimReader(server: string, accountName: string, nodeId: string): string | undefined {
  const k = key(server, accountName);
  const holder = readers.get(k);
  if (holder !== undefined && holder !== nodeId) return holder;
  readers.set(k, nodeId);
  return undefined;
}

export function releaseReader(server: string, accountName: string, nodeId: string): void {
  const k = key(server, accountName);
  if (readers.get(k) === nodeId) readers.delete(k);
}

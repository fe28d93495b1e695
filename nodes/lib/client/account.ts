// What names a billing account: the check of its name, and the one key of an account that
// everything kept per account uses (readers, notice routing, send queues, node state, leases).
import { ACCOUNT_NAME_PATTERN } from '../types';
import { ThingSpaceError } from './errors';

/** The name as given, if it is one (docs/thingspace-api.md, "SMS history"): the pattern also
 *  keeps '/', '?', '.' and '%' out of request paths. Leading zeros are part of the name. */
export function checkAccountName(name: unknown): string {
  if (typeof name !== 'string' || !ACCOUNT_NAME_PATTERN.test(name)) {
    throw new ThingSpaceError({
      kind: 'bad_config',
      message: 'The account name must be 3 to 32 letters, digits or hyphens, e.g. 0000123456-00001',
      operation: 'config',
    });
  }
  return name;
}

/** The account as ThingSpace knows it: the same name on another server is another queue,
 *  whichever config node names it. `name@host`, also the Redis hash tag of coordination, so
 *  its keys stay the same across versions. */
export function accountKey(server: string, accountName: string): string {
  let host: string;
  try {
    host = new URL(server).host.toLowerCase();
  } catch {
    host = server.trim().toLowerCase();
  }
  return `${accountName}@${host}`;
}

import { ACCOUNT_NAME_PATTERN } from '../types';
import { badConfig } from './errors';

/** The pattern also keeps '/', '?', '.' and '%' out of request paths; leading zeros are kept. */
export function checkAccountName(name: unknown): string {
  if (typeof name !== 'string' || !ACCOUNT_NAME_PATTERN.test(name)) {
    throw badConfig('The account name must be 3 to 32 letters, digits or hyphens, e.g. 0000123456-00001');
  }
  return name;
}

/** The one key of an account (the same name on another server is another queue); also coordination's
 *  Redis hash tag, so its form must not change across versions. */
export function accountKey(server: string, accountName: string): string {
  let host: string;
  try {
    host = new URL(server).host.toLowerCase();
  } catch {
    host = server.trim().toLowerCase();
  }
  return `${accountName}@${host}`;
}

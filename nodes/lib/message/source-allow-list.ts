// ThingSpace calls from published addresses (docs/thingspace-api.md, "Callback listeners"), so a
// listener can refuse everyone else before reading the body.
import { BlockList, isIP } from 'node:net';

export const THINGSPACE_CALLBACK_SOURCES = [
  '137.117.33.109',
  '168.62.173.153',
  '3.87.163.45',
  '3.91.119.203',
  '54.197.62.209',
  '35.165.205.14',
  '54.200.43.232',
  '34.216.81.234',
] as const;

const MAX_ENTRIES = 1000;

/** Also drops the port some proxies write into X-Forwarded-For (`1.2.3.4:5678`). */
export function normaliseAddress(address: string): string {
  return address
    .trim()
    .replace(/^\[([^\]]+)\](?::\d+)?$/, '$1')
    .replace(/^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/, '$1')
    .replace(/%.*$/, '') // an IPv6 zone
    .replace(/^::ffff:(?=\d{1,3}(?:\.\d{1,3}){3}$)/i, '');
}

/** Node's BlockList, asked with addresses as sockets and proxies write them. */
export class AddressList extends BlockList {
  has(address: string | undefined): boolean {
    const a = normaliseAddress(address ?? '');
    const family = isIP(a);
    return family !== 0 && this.check(a, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** Addresses and CIDR ranges, split at spaces, commas or semicolons. */
export function parseAddressList(text: string): AddressList | { reason: string } {
  const entries = text.split(/[\s,;]+/).filter((e) => e !== '');
  if (entries.length > MAX_ENTRIES) return { reason: `more than ${MAX_ENTRIES} addresses` };
  const list = new AddressList();
  for (const entry of entries) {
    const [raw, bits, extra] = entry.split('/');
    const addr = normaliseAddress(raw);
    const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    const max = family === 'ipv6' ? 128 : 32;
    const shown = entry.length > 45 ? `${entry.slice(0, 45)}...` : entry;
    if (isIP(addr) === 0 || extra !== undefined) return { reason: `"${shown}" is not an IP address or CIDR range` };
    if (bits === undefined) list.addAddress(addr, family);
    else if (/^\d{1,3}$/.test(bits) && Number(bits) <= max) list.addSubnet(addr, Number(bits), family);
    else return { reason: `"${shown}" has a prefix length outside 0-${max}` };
  }
  return list;
}

/** X-Forwarded-For is read from the right, and only past trusted proxies: entries left of the
 *  first other one were written by whoever sent the request. */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, proxies: AddressList): string | undefined {
  if (peer === undefined) return undefined;
  const hops = [forwardedFor ?? [], peer]
    .flat()
    .join(',')
    .split(',')
    .map(normaliseAddress)
    .filter((a) => a !== '');
  for (let i = hops.length - 1; i > 0; i--) if (!proxies.has(hops[i])) return hops[i];
  return hops[0];
}

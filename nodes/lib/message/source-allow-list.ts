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
  let a = address.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1];
  const v4port = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(a);
  if (v4port) a = v4port[1];
  const zone = a.indexOf('%');
  if (zone !== -1) a = a.slice(0, zone);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(a);
  return mapped ? mapped[1] : a;
}

export class AddressList {
  private readonly list = new BlockList();

  constructor(readonly entries: readonly string[]) {
    for (const entry of entries) {
      const [addr, bits] = entry.split('/');
      const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(addr, family);
      else this.list.addSubnet(addr, Number(bits), family);
    }
  }

  has(address: string | undefined): boolean {
    if (address === undefined) return false;
    const a = normaliseAddress(address);
    const family = isIP(a);
    return family !== 0 && this.list.check(a, family === 6 ? 'ipv6' : 'ipv4');
  }
}

export function parseAddressList(text: string): AddressList | { reason: string } {
  const entries = text
    .split(/[\s,;]+/)
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length > MAX_ENTRIES) return { reason: `more than ${MAX_ENTRIES} addresses` };
  const clean: string[] = [];
  for (const entry of entries) {
    const [raw, bits, extra] = entry.split('/');
    const addr = normaliseAddress(raw);
    const family = isIP(addr);
    const max = family === 6 ? 128 : 32;
    const shown = entry.length > 45 ? `${entry.slice(0, 45)}...` : entry;
    if (family === 0 || extra !== undefined) return { reason: `"${shown}" is not an IP address or CIDR range` };
    if (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= max)) return { reason: `"${shown}" has a prefix length outside 0-${max}` };
    clean.push(bits === undefined ? addr : `${addr}/${bits}`);
  }
  return new AddressList(clean);
}

/** X-Forwarded-For is read from the right, and only past trusted proxies: entries left of the
 *  first other one were written by whoever sent the request. */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, proxies: AddressList): string | undefined {
  if (peer === undefined) return undefined;
  let client = normaliseAddress(peer);
  if (!proxies.has(client) || forwardedFor === undefined) return client;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    client = normaliseAddress(hops[i]);
    if (!proxies.has(client)) return client;
  }
  return client;
}

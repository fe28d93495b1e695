// Which addresses may deliver callbacks (pushed SMS and delivery notices): ThingSpace sends
// them from published source addresses (docs/thingspace-api.md, "Callback listeners"), so a
// listener can refuse everyone else before reading a byte of the body. Behind a reverse proxy
// the peer is the proxy: X-Forwarded-For is read only from the proxies the user lists.
import { BlockList, isIP } from 'node:net';

/** The published sources of ThingSpace callbacks (docs/thingspace-api.md, "Callback listeners"). */
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

/** `::ffff:1.2.3.4` as `1.2.3.4`; a zone (`fe80::1%eth0`), brackets and a port (some
 *  proxies write `1.2.3.4:5678` into X-Forwarded-For) removed. */
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

/** A set of addresses and CIDR ranges, IPv4 and IPv6. */
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

  get size(): number {
    return this.entries.length;
  }

  has(address: string | undefined): boolean {
    if (address === undefined) return false;
    const a = normaliseAddress(address);
    const family = isIP(a);
    return family !== 0 && this.list.check(a, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** Entries separated by commas, spaces or new lines; each an address or `address/bits`. */
export function parseAddressList(text: string): AddressList | { reason: string } {
  const entries = text.split(/[\s,;]+/).map((e) => e.trim()).filter((e) => e !== '');
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

/**
 * The address a request came from: the peer, unless the peer is a trusted proxy; then the
 * X-Forwarded-For entries are read from the right, skipping trusted proxies, and the first
 * other one is the client. Entries left of it were written by whoever sent the request and
 * are never believed.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, proxies: AddressList): string | undefined {
  if (peer === undefined) return undefined;
  let client = normaliseAddress(peer);
  if (!proxies.has(client) || forwardedFor === undefined) return client;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map((h) => h.trim()).filter((h) => h !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    client = normaliseAddress(hops[i]);
    if (!proxies.has(client)) return client;
  }
  return client;
}

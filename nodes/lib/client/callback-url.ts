// No user:password in a callback URL (docs/thingspace-api.md, "Callback listeners"): it would end up
// in the exported flow and ThingSpace's listener list. nodes/start-callbacks.html mirrors this check.

type CallbackUrlCheck = { ok: true; url: string } | { ok: false; reason: string };

export function checkCallbackUrl(text: string): CallbackUrlCheck {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    return { ok: false, reason: 'The callback URL is not an absolute URL' };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { ok: false, reason: 'The callback URL must be http(s)' };
  if (u.hostname === '') return { ok: false, reason: 'The callback URL has no host' };
  if (u.username || u.password) return { ok: false, reason: 'The callback URL must not carry credentials; use the config node callback credentials' };
  return { ok: true, url: u.toString() };
}

/** The ports ThingSpace calls listeners on (docs/thingspace-api.md, "Callback listeners"). */
const THINGSPACE_CALLBACK_PORTS: ReadonlyArray<readonly [number, number]> = [
  [80, 80],
  [443, 443],
  [9001, 9006],
  [50551, 50559],
  [28200, 28220],
];

/** Only there does the port rule apply: a simulator calls any port. */
export const VERIZON_SERVER = 'https://thingspace.verizon.com';

export function isCallbackPort(port: number): boolean {
  return THINGSPACE_CALLBACK_PORTS.some(([low, high]) => port >= low && port <= high);
}

/** A port Verizon would not deliver to: the editor warns, the registration is not refused. */
export function undeliverablePort(url: string, server: string): number | undefined {
  let u: URL;
  let s: URL;
  try {
    u = new URL(url.trim());
    s = new URL(server.trim());
  } catch {
    return undefined;
  }
  if (s.origin !== VERIZON_SERVER || (u.protocol !== 'https:' && u.protocol !== 'http:')) return undefined;
  const port = u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port);
  return isCallbackPort(port) ? undefined : port;
}

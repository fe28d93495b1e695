// The one check of a callback listener URL, used by the client before it registers one and by
// start-callbacks when it reads its property. (The editor's validator and port warning in
// nodes/start-callbacks.html mirror it for the dialog; test/unit/editor checks the two agree.)
//
// ThingSpace POSTs to this URL (docs/thingspace-api.md, "Callback listeners"): it must be an
// absolute http(s) URL with a host, and must not carry user:password, which would end up in
// the exported flow and in ThingSpace's listener list; the callback credentials of the
// config node exist for that.

export type CallbackUrlCheck = { ok: true; url: string } | { ok: false; reason: string };

export function checkCallbackUrl(text: string): CallbackUrlCheck {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    return { ok: false, reason: 'The callback URL is not an absolute URL' };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { ok: false, reason: 'The callback URL must be http(s)' };
  if (u.hostname === '') return { ok: false, reason: 'The callback URL has no host' };
  if (u.username || u.password) {
    return { ok: false, reason: 'The callback URL must not carry credentials; use the config node callback credentials' };
  }
  return { ok: true, url: u.toString() };
}

/** The ports ThingSpace calls listeners on (docs/thingspace-api.md, "Callback listeners"). */
export const THINGSPACE_CALLBACK_PORTS: ReadonlyArray<readonly [number, number]> = [[80, 80], [443, 443], [9001, 9006], [50551, 50559], [28200, 28220]];

/** Verizon's own server: only there does the port rule apply (a simulator calls any port). */
export const VERIZON_SERVER = 'https://thingspace.verizon.com';

export function isCallbackPort(port: number): boolean {
  return THINGSPACE_CALLBACK_PORTS.some(([low, high]) => port >= low && port <= high);
}

/** The port of a callback URL that Verizon's ThingSpace would not deliver to, if any: a warning
 *  for the editor (the registration itself is not refused). Undefined for another server. */
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

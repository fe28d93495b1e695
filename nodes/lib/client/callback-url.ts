// The one check of a callback listener URL, used by the client before it registers one and by
// start-callbacks when it reads its property. (The editor's validator in
// nodes/start-callbacks.html mirrors it for the dialog; test/unit/editor checks the two agree.)
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

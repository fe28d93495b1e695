// Reads the `next` token out of a history response's Location header.
//
// The documented form is relative to the M2M root, `/sms/{acct}/history?next=T`, but the live
// header may carry the `/api/m2m/v1` prefix or be an absolute URL (docs/thingspace-api.md, "SMS history" and "Open questions" 4),
// so all three are accepted. We never follow the Location: we only copy `next` out of it, and
// only when it names this account's history on this server, so a header cannot send our
// credentials anywhere else. The token is opaque (docs/thingspace-api.md, "Open questions" 3): it is kept as the string
// the server wrote, never turned into a number, so `0042` stays `0042`.
import { M2M_ROOT } from '../types';

export type NextParse = { ok: true; next: string } | { ok: false; reason: string };

/** A token longer than this is not a paging token; refuse rather than echo it into a URL. */
const MAX_NEXT_LENGTH = 1024;

const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:|^\/\//;

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Accepts `/sms/{acct}/history`, `/api/m2m/v1/sms/{acct}/history`, and the latter under the
 *  server's own path prefix when it has one. */
function isHistoryPath(pathname: string, serverPath: string, accountName: string): boolean {
  const match = /^(.*)\/sms\/([^/]+)\/history$/.exec(pathname);
  if (!match) return false;
  const prefix = match[1];
  if (decodeSegment(match[2]) !== accountName) return false;
  return prefix === '' || prefix === M2M_ROOT || prefix === serverPath + M2M_ROOT;
}

export function nextFromLocation(location: string | undefined, server: string, accountName: string): NextParse {
  if (location === undefined || location.trim() === '') return { ok: false, reason: 'no Location header' };
  const text = location.trim();
  const base = new URL(server);
  let url: URL;
  try {
    // Relative forms are resolved against the server origin only to split path and query.
    url = new URL(text, base.origin);
  } catch {
    return { ok: false, reason: 'the Location header is not a URL' };
  }
  if (ABSOLUTE.test(text) && url.origin !== base.origin) {
    return { ok: false, reason: 'the Location header points at another host' };
  }
  if (!ABSOLUTE.test(text) && !text.startsWith('/')) {
    return { ok: false, reason: 'the Location header is not an absolute path' };
  }
  const serverPath = base.pathname.replace(/\/+$/, '');
  if (!isHistoryPath(url.pathname, serverPath, accountName)) {
    return { ok: false, reason: "the Location header does not point at this account's SMS history" };
  }
  const values = url.searchParams.getAll('next');
  if (values.length !== 1 || values[0] === '') return { ok: false, reason: 'the Location header has no single next value' };
  if (values[0].length > MAX_NEXT_LENGTH) return { ok: false, reason: 'the next token in the Location header is too long' };
  return { ok: true, next: values[0] };
}

// Location may be relative, prefixed or absolute (docs/thingspace-api.md, "Open questions" 4). `next` is taken only
// from this account's history on this server, so a header cannot send our credentials elsewhere; it stays a string.
import { M2M_ROOT } from '../types';

type NextParse = { ok: true; next: string } | { ok: false; reason: string };

/** Longer is not a paging token: refused rather than echoed into a URL. */
const MAX_NEXT_LENGTH = 1024;

const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:|^\/\//;

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

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
    url = new URL(text, base.origin);
  } catch {
    return { ok: false, reason: 'the Location header is not a URL' };
  }
  if (ABSOLUTE.test(text) && url.origin !== base.origin) return { ok: false, reason: 'the Location header points at another host' };
  if (!ABSOLUTE.test(text) && !text.startsWith('/')) return { ok: false, reason: 'the Location header is not an absolute path' };
  const serverPath = base.pathname.replace(/\/+$/, '');
  if (!isHistoryPath(url.pathname, serverPath, accountName)) return { ok: false, reason: "the Location header does not point at this account's SMS history" };
  const values = url.searchParams.getAll('next');
  if (values.length !== 1 || values[0] === '') return { ok: false, reason: 'the Location header has no single next value' };
  if (values[0].length > MAX_NEXT_LENGTH) return { ok: false, reason: 'the next token in the Location header is too long' };
  return { ok: true, next: values[0] };
}

// A response body with its Content-Encoding undone, within the size cap: a small gzip body
// can inflate to gigabytes, so the cap applies to the decoded bytes too.
import zlib from 'node:zlib';

/** What we ask for: a block of 100 SMS is about a sixth of its size gzipped. */
export const ACCEPT_ENCODING = 'gzip, deflate, br';
export const TOO_LARGE = Symbol('too large');

/** The body's bytes with its Content-Encoding undone (at most `max` of them), TOO_LARGE, or why it cannot be read. */
export function decode(raw: Buffer, contentEncoding: string | undefined, max: number): Buffer | typeof TOO_LARGE | string {
  const coding = (contentEncoding ?? '').trim().toLowerCase();
  if (coding === '' || coding === 'identity' || raw.length === 0) return raw;
  const limit = { maxOutputLength: max };
  try {
    if (coding === 'gzip' || coding === 'x-gzip') return zlib.gunzipSync(raw, limit);
    if (coding === 'br') return zlib.brotliDecompressSync(raw, limit);
    if (coding === 'deflate') {
      // "deflate" is meant to be zlib-wrapped, but some servers send it raw.
      try {
        return zlib.inflateSync(raw, limit);
      } catch (err) {
        if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw err;
        return zlib.inflateRawSync(raw, limit);
      }
    }
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return TOO_LARGE;
    return `the body is not valid ${coding} data`;
  }
  return `the body has a content encoding we did not ask for (${coding.slice(0, 40)})`;
}

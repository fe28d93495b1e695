// Node-RED's HTTP node server parses no bodies (http in adds parsers per route), so sms-queue-in's listener reads
// its own; anything that does not parse is passed on as text, for the readers to refuse with the body shown.
import type { IncomingMessage } from 'node:http';
import { MAX_RAW_BODY_LENGTH } from '../message/callback-body';

type BodyResult = { ok: true; body: unknown } | { ok: false; status: 413 | 400; reason: string };

/** Reads and decodes the request body; a body parsed already by a middleware is taken as is. */
export async function readRequestBody(req: IncomingMessage & { body?: unknown; _body?: boolean }): Promise<BodyResult> {
  if (req._body) return { ok: true, body: req.body };
  const declared = Number(req.headers['content-length']);
  if (declared > MAX_RAW_BODY_LENGTH) return tooLarge(declared);
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of req) {
      length += (chunk as Buffer).length;
      if (length > MAX_RAW_BODY_LENGTH) return tooLarge(length);
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    return { ok: false, status: 400, reason: `the request body could not be read (${(err as Error).message})` };
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return { ok: true, body: Object.fromEntries(new URLSearchParams(text)) };
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return { ok: true, body: JSON.parse(text) as unknown };
    } catch {
      // Passed on as text: refused with the body shown, never dropped unseen.
    }
  }
  return { ok: true, body: text };
}

function tooLarge(bytes: number): BodyResult {
  return { ok: false, status: 413, reason: `callback body of ${bytes} bytes, more than the ${MAX_RAW_BODY_LENGTH} accepted` };
}

// Requests on node:http(s) directly: keep-alive agent, a wall-clock timer over the whole
// exchange, a response size cap (on the wire and once decompressed), gzip/deflate/br
// answers accepted and decoded, no redirects, TLS verification on, every status handed back.
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import { badResponse, errorFromTransport, type AbortCause, type RawResponse } from './classify';
import { USER_AGENT, type RequestSpec, type Sender } from './transport';

/** A request in flight, and how to abort it. */
interface Live {
  signal: AbortSignal | undefined;
  abort: () => void;
}

/** What we ask for, as axios did: a block of 100 SMS is about a sixth of its size gzipped. */
const ACCEPT_ENCODING = 'gzip, deflate, br';
const TOO_LARGE = Symbol('too large');

/** The body's bytes with its Content-Encoding undone (at most `max` of them), TOO_LARGE, or why it cannot be read. */
function decode(raw: Buffer, contentEncoding: string | undefined, max: number): Buffer | typeof TOO_LARGE | string {
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

/** Lower-case names (node:http's already are); repeated headers joined as axios did. */
function flatHeaders(raw: http.IncomingHttpHeaders): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const name in raw) {
    const value = raw[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export class NativeSender implements Sender {
  private readonly lib: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly hostname: string;
  private readonly port: number | undefined;
  private readonly base: string;
  /** Requests in flight. */
  private readonly live = new Set<Live>();
  /** Signals already listened to. */
  private readonly watched = new WeakSet<AbortSignal>();

  constructor(
    url: URL,
    private readonly timeoutMs: number,
    private readonly maxBytes: number,
  ) {
    const secure = url.protocol === 'https:';
    this.lib = secure ? https : http;
    this.agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    // URL keeps IPv6 literals bracketed; the request options want them bare.
    this.hostname = url.hostname.replace(/^\[|\]$/g, '');
    this.port = url.port === '' ? undefined : Number(url.port);
    this.base = url.pathname.replace(/\/+$/, '');
  }

  send(spec: RequestSpec, closing: AbortSignal): Promise<RawResponse> {
    const { operation, signal } = spec;
    return new Promise<RawResponse>((resolve, reject) => {
      let settled = false;
      let cause: AbortCause;
      const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Encoding': ACCEPT_ENCODING, 'User-Agent': USER_AGENT, ...spec.headers };
      if (spec.data !== undefined) headers['Content-Length'] = String(Buffer.byteLength(spec.data));

      const finish = (err: Error | undefined, res?: RawResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.live.delete(entry);
        if (err) reject(err);
        else resolve(res!);
      };
      const fail = (err: unknown): void => finish(errorFromTransport(operation, err, cause, this.timeoutMs));
      const stop = (why: AbortCause): void => {
        cause ??= why;
        fail(undefined);
        req.destroy();
      };
      const entry: Live = { signal, abort: () => stop('caller') };
      const tooLarge = (): void => {
        finish(badResponse(operation, undefined, 'the body is larger than the configured limit'));
        req.destroy();
      };

      const req = this.lib.request({
        hostname: this.hostname,
        port: this.port,
        path: this.base + spec.path,
        method: spec.method,
        headers,
        agent: this.agent,
      });
      req.on('error', fail);
      // The timer bounds the whole exchange, not only the socket's idle time.
      const timer = setTimeout(() => stop('timeout'), this.timeoutMs);
      if (signal?.aborted || closing.aborted) {
        stop('caller');
        return;
      }
      // Not a listener per request on each signal (EventTarget listeners are slow to add and
      // remove): one per signal for the sender's life, and close() aborts what is live.
      this.live.add(entry);
      if (signal) this.watch(signal);

      req.on('response', (res: http.IncomingMessage) => {
        const declared = Number(res.headers['content-length']);
        if (declared > this.maxBytes) {
          tooLarge();
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxBytes) tooLarge();
          else chunks.push(chunk);
        });
        res.on('end', () => {
          const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
          const decoded = decode(raw, res.headers['content-encoding'], this.maxBytes);
          const status = res.statusCode ?? 0;
          if (decoded === TOO_LARGE) tooLarge();
          // An error answer is classified by its status even when its body cannot be read.
          else if (typeof decoded === 'string' && status >= 200 && status < 300) finish(badResponse(operation, status, decoded));
          else finish(undefined, { status, headers: flatHeaders(res.headers), body: typeof decoded === 'string' ? '' : decoded.toString('utf8') });
        });
        res.on('error', fail);
        // A connection cut mid-body: 'close' before 'end'.
        res.on('close', () => {
          if (!res.complete) fail(Object.assign(new Error('response cut short'), { code: 'ECONNRESET' }));
        });
      });
      req.end(spec.data);
    });
  }

  /** Aborts, when `signal` fires, the live requests that were given it. Once per signal. */
  private watch(signal: AbortSignal): void {
    if (this.watched.has(signal)) return;
    this.watched.add(signal);
    signal.addEventListener(
      'abort',
      () => {
        for (const entry of [...this.live]) if (entry.signal === signal) entry.abort();
      },
      { once: true },
    );
  }

  /** Aborts every live request (the transport's `closing` has fired) and frees the sockets. */
  close(): void {
    for (const entry of [...this.live]) entry.abort();
    this.agent.destroy();
  }
}

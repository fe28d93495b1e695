// The HTTP layer: every request goes out on node:http(s), through a keep-alive agent that
// is Node's own or a proxy's (agent.ts), with a wall-clock timeout over the whole exchange, a
// response size cap (on the wire and once decompressed), no redirects, TLS verification on,
// and every status handed back to the caller to classify. One request per history block is
// the drain's hot path: a general-purpose client cost a fifth of the drain's speed there.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { badResponse, errorFromTransport, proxyRefused, type AbortCause, type RawResponse } from './classify';
import type { ClientConfig } from './config';
import { ACCEPT_ENCODING, TOO_LARGE, decode } from './decode';
import { carrierFor } from './agent';
import { USER_AGENT, type RequestSpec } from './transport';

/** A request in flight, and how to abort it. */
interface Live {
  signal: AbortSignal | undefined;
  abort: () => void;
}

/** Lower-case names (node:http's already are); repeated headers joined with ', '. */
function flatHeaders(raw: http.IncomingHttpHeaders): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const name in raw) {
    const value = raw[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** Can the socket carry the request now: connected and, for TLS, past the handshake? A proxy
 *  agent may hand over a socket that already is; a fresh one is still connecting. */
function ready(socket: Socket): boolean {
  if (socket.connecting || socket.destroyed) return false;
  if (!(socket instanceof TLSSocket)) return true;
  const protocol = socket.getProtocol();
  return protocol !== null && protocol !== 'unknown';
}

export type TransportConfig = Pick<ClientConfig, 'server' | 'timeoutMs' | 'maxResponseBytes' | 'ca'>;

export class HttpTransport {
  private readonly lib: typeof http | typeof https;
  private readonly protocol: string;
  private readonly agent: http.Agent;
  /** The proxy's origin (no credentials), or undefined when requests go direct. */
  readonly proxy: string | undefined;
  private readonly hostname: string;
  private readonly port: number | undefined;
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly ca: ClientConfig['ca'];
  /** Aborted by close(): cancels every request of this client, shared ones included. */
  private readonly closing = new AbortController();
  /** Requests in flight. */
  private readonly live = new Set<Live>();
  /** Signals already listened to. */
  private readonly watched = new WeakSet<AbortSignal>();

  constructor(cfg: TransportConfig) {
    const url = new URL(cfg.server);
    this.lib = url.protocol === 'https:' ? https : http;
    this.protocol = url.protocol;
    const carrier = carrierFor(url);
    this.agent = carrier.agent;
    this.proxy = carrier.proxy;
    // URL keeps IPv6 literals bracketed; the request options want them bare.
    this.hostname = url.hostname.replace(/^\[|\]$/g, '');
    this.port = url.port === '' ? undefined : Number(url.port);
    this.base = url.pathname.replace(/\/+$/, '');
    this.timeoutMs = cfg.timeoutMs;
    this.maxBytes = cfg.maxResponseBytes;
    this.ca = cfg.ca;
  }

  send(spec: RequestSpec): Promise<RawResponse> {
    const { operation, signal } = spec;
    const closing = this.closing.signal;
    const proxied = this.proxy !== undefined;
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
      /** Whether the request reached a connection to the server (ThingSpaceError.requestSent):
       *  a send that failed before that can be repeated without sending an SMS twice. */
      let written = false;
      const fail = (err: unknown): void => finish(errorFromTransport(operation, err, cause, this.timeoutMs, proxied, written));
      const stop = (why: AbortCause): void => {
        cause ??= why;
        fail(undefined);
        req.destroy();
      };
      const entry: Live = { signal, abort: () => stop('caller') };
      const refuse = (err: Error): void => {
        finish(err);
        req.destroy();
      };
      /** Set when the proxy answered the CONNECT with something other than 200: the
       *  response that follows is the proxy's, not the server's. */
      let proxyStatus: number | undefined;

      const req = this.lib.request({
        // Named although implied: the proxy agents' socket pool keys on it when a socket is
        // freed; without it they pool https sockets under an http key and never reuse them.
        protocol: this.protocol,
        hostname: this.hostname,
        port: this.port,
        path: this.base + spec.path,
        method: spec.method,
        headers,
        agent: this.agent,
        // Trusted instead of Node's built-in CAs when given; verification stays on.
        ...(this.ca === undefined ? {} : { ca: this.ca }),
      });
      req.on('error', fail);
      req.on('socket', (socket: Socket) => {
        // A kept-alive socket already carried a request: this one is written to the server.
        if (req.reusedSocket || ready(socket)) written = true;
        else socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', () => (written = true));
      });
      req.on('proxyConnect', (connect: { statusCode?: unknown }) => {
        if (typeof connect.statusCode === 'number' && connect.statusCode !== 200) proxyStatus = connect.statusCode;
      });
      // The timer bounds the whole exchange, not only the socket's idle time.
      const timer = setTimeout(() => stop('timeout'), this.timeoutMs);
      if (signal?.aborted || closing.aborted) {
        stop('caller');
        return;
      }
      // Not a listener per request on each signal (EventTarget listeners are slow to add and
      // remove): one per signal for the transport's life, and close() aborts what is live.
      this.live.add(entry);
      if (signal) this.watch(signal);

      req.on('response', (res: http.IncomingMessage) => {
        // 407 comes only from a proxy: through one, it is the proxy refusing our credentials.
        if (proxyStatus !== undefined || (proxied && res.statusCode === 407)) {
          refuse(proxyRefused(operation, proxyStatus ?? 407));
          return;
        }
        const declared = Number(res.headers['content-length']);
        const tooLarge = (): void => refuse(badResponse(operation, undefined, 'the body is larger than the configured limit'));
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

  get closed(): boolean {
    return this.closing.signal.aborted;
  }

  /** Cancels everything in flight and frees the kept-alive sockets (and tunnels). */
  close(): void {
    this.closing.abort();
    for (const entry of [...this.live]) entry.abort();
    this.agent.destroy();
  }
}

// axios, with every status left to classify.ts. Its errors are never passed on: they carry the
// request's headers (Authorization, VZ-M2M-Token).
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { AxiosHeaders, AxiosInstance, AxiosResponse } from 'axios';
import { badResponse, errorFromTransport, proxyRefused, type AbortCause, type Operation, type RawResponse } from './classify';
import type { ClientConfig } from './config';
import { carrierFor } from './agent';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface RequestSpec {
  operation: Operation;
  method: Method;
  /** Below the server root, from encoded segments. */
  path: string;
  headers: Record<string, string>;
  data?: string;
  signal?: AbortSignal;
}

const USER_AGENT = 'node-red-contrib-thingspace-sms';

interface Seen {
  /** A send that failed before this can be repeated without sending an SMS twice. */
  written: boolean;
  /** The proxy refused the tunnel with this status. */
  proxyStatus?: number;
  cut: boolean;
  /** As it came: axios removes the header once it decodes. */
  coding?: string;
}

/** Connected and past the TLS handshake: a proxy agent may hand over such a socket. */
function ready(socket: Socket): boolean {
  if (socket.connecting || socket.destroyed) return false;
  if (!(socket instanceof TLSSocket)) return true;
  const protocol = socket.getProtocol();
  return protocol !== null && protocol !== 'unknown';
}

/** Node's header names are lower-case already; repeated ones joined. */
function flatHeaders(res: AxiosResponse): Record<string, string> {
  return (res.headers as AxiosHeaders).toJSON(true);
}

let axiosInstance: AxiosInstance | undefined;
/** axios, loaded on the first request (Node-RED loads the package at start-up). */
function client(): AxiosInstance {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  axiosInstance ??= (require('axios') as { default: { create(): AxiosInstance } }).default.create();
  return axiosInstance;
}

/** `server` as config.ts normalised it: no trailing slash. */
type TransportConfig = Pick<ClientConfig, 'server' | 'timeoutMs' | 'maxResponseBytes' | 'ca'>;

export class HttpTransport {
  private readonly lib: typeof http | typeof https;
  private readonly agent: http.Agent;
  readonly proxy: string | undefined;
  /** Set by close(), which cancels every request of this client, shared ones included. */
  closed = false;
  /** Each request in flight: its abort, and the caller's signal. */
  private readonly live = new Map<() => void, AbortSignal | undefined>();
  private readonly watched = new WeakSet<AbortSignal>();

  constructor(private readonly cfg: TransportConfig) {
    const url = new URL(cfg.server);
    this.lib = url.protocol === 'https:' ? https : http;
    ({ agent: this.agent, proxy: this.proxy } = carrierFor(url));
  }

  async send(spec: RequestSpec): Promise<RawResponse> {
    const { operation, signal } = spec;
    const { timeoutMs } = this.cfg;
    const seen: Seen = { written: false, cut: false };
    let cause: AbortCause;
    const ctl = new AbortController();
    const stop = (why: AbortCause): void => {
      cause ??= why;
      ctl.abort();
    };
    if (signal?.aborted || this.closed) throw errorFromTransport(operation, undefined, 'caller', timeoutMs, false, false);
    const abort = (): void => stop('caller');
    this.live.set(abort, signal);
    if (signal) this.watch(signal);
    // The timer bounds the whole exchange, not only the socket's idle time.
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    try {
      const res = await client().request<string>({
        url: this.cfg.server + spec.path,
        method: spec.method,
        headers: { Accept: 'application/json', 'User-Agent': USER_AGENT, ...spec.headers },
        data: spec.data,
        signal: ctl.signal,
        httpAgent: this.agent,
        httpsAgent: this.agent,
        proxy: false,
        maxRedirects: 0,
        maxContentLength: this.cfg.maxResponseBytes,
        responseType: 'text',
        transformResponse: (body: string) => body,
        validateStatus: () => true,
        transport: this.watching(seen),
      });
      if (seen.proxyStatus !== undefined) throw proxyRefused(operation, seen.proxyStatus);
      const coding = String(res.headers['content-encoding'] ?? '').toLowerCase();
      const ok = res.status >= 200 && res.status < 300;
      // axios removes the header of an encoding it undid; one left over it could not undo.
      if (coding !== '' && coding !== 'identity') {
        if (ok) throw badResponse(operation, res.status, `the body has a content encoding we did not ask for (${coding.slice(0, 40)})`);
        return { status: res.status, headers: flatHeaders(res), body: '' };
      }
      return { status: res.status, headers: flatHeaders(res), body: res.data ?? '' };
    } catch (err) {
      if (err instanceof Error && err.name === 'ThingSpaceError') throw err;
      return this.failure(operation, err, cause, seen);
    } finally {
      clearTimeout(timer);
      this.live.delete(abort);
    }
  }

  /** Throws our error for an axios failure; an error status whose body could not be decompressed
   *  comes back as an answer, to be classified by its status. */
  private failure(operation: Operation, err: unknown, cause: AbortCause, seen: Seen): RawResponse {
    const e = err as { code?: unknown; message?: unknown; response?: AxiosResponse };
    // The proxy refused and closed: its answer may be cut short, it is still a refusal.
    if (cause === undefined && seen.proxyStatus !== undefined) throw proxyRefused(operation, seen.proxyStatus);
    // axios stops reading at the cap (and the connection is then cut: checked first).
    if (cause === undefined && String(e.message).startsWith('maxContentLength'))
      throw badResponse(operation, undefined, 'the body is larger than the configured limit');
    if (cause === undefined && !seen.cut && e.response !== undefined) {
      const status = e.response.status;
      if (status < 200 || status >= 300) return { status, headers: flatHeaders(e.response), body: '' };
      throw badResponse(operation, status, `the body is not valid ${seen.coding ?? 'compressed'} data`);
    }
    const code = seen.cut ? 'ECONNRESET' : e.code;
    throw errorFromTransport(operation, { code }, cause, this.cfg.timeoutMs, this.proxy !== undefined, seen.written);
  }

  /** node:http(s) as axios's transport, watching what only the socket can tell. */
  private watching(seen: Seen): { request: typeof http.request } {
    const { lib } = this;
    const { ca } = this.cfg;
    const proxied = this.proxy !== undefined;
    const request = (options: http.RequestOptions, cb?: (res: http.IncomingMessage) => void): http.ClientRequest => {
      const req = lib.request(ca === undefined ? options : { ...options, ca }, (res) => {
        seen.coding = res.headers['content-encoding'];
        cb?.(res);
      });
      req.on('socket', (socket: Socket) => {
        // A kept-alive socket already carried a request: this one is written to the server.
        if (req.reusedSocket || ready(socket)) seen.written = true;
        else socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', () => (seen.written = true));
      });
      req.on('proxyConnect', (connect: { statusCode?: unknown }) => {
        if (typeof connect.statusCode === 'number' && connect.statusCode !== 200) seen.proxyStatus = connect.statusCode;
      });
      req.on('response', (res: http.IncomingMessage) => {
        // 407 comes only from a proxy: through one, it is the proxy refusing our credentials.
        if (proxied && res.statusCode === 407) seen.proxyStatus ??= 407;
        res.on('close', () => {
          if (!res.complete) seen.cut = true;
        });
      });
      return req;
    };
    return { request: request as typeof http.request };
  }

  /** One listener per signal, however many requests share it. */
  private watch(signal: AbortSignal): void {
    if (this.watched.has(signal)) return;
    this.watched.add(signal);
    signal.addEventListener(
      'abort',
      () => {
        for (const [abort, s] of [...this.live]) if (s === signal) abort();
      },
      { once: true },
    );
  }

  /** Cancels everything in flight and frees the kept-alive sockets (and tunnels). */
  close(): void {
    this.closed = true;
    for (const abort of [...this.live.keys()]) abort();
    this.agent.destroy();
  }
}

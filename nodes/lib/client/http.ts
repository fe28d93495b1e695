// The HTTP layer: keep-alive agents, a wall-clock timeout over the whole exchange, a response
// size cap, no redirects, TLS verification left on, and every status handed back to the
// caller to classify. Requests go out on node:http(s) directly: one request per history
// block is the drain's hot path, and a general-purpose client (axios) cost about a tenth of
// the drain's CPU there. When a proxy variable applies to the server (HTTPS_PROXY and
// friends, minus NO_PROXY), requests go through axios instead, which honours them
// (http-axios.ts); the behaviour seen by the caller is the same either way.
import http from 'node:http';
import https from 'node:https';
import { badResponse, errorFromTransport, type AbortCause, type Operation, type RawResponse } from './classify';
import { proxyFor } from './proxy';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RequestSpec {
  operation: Operation;
  method: Method;
  /** Path below the server root, already built from encoded segments. */
  path: string;
  headers: Record<string, string>;
  data?: string;
  signal?: AbortSignal;
}

export const USER_AGENT = 'node-red-contrib-thingspace-sms';

/** One way of sending; `closing` aborts everything of the transport. */
export interface Sender {
  send(spec: RequestSpec, closing: AbortSignal): Promise<RawResponse>;
  close(): void;
}

export class HttpTransport {
  private readonly sender: Sender;
  /** Aborted by close(): cancels every request of this client, shared ones included. */
  private readonly closing = new AbortController();

  constructor(
    server: string,
    readonly timeoutMs: number,
    maxResponseBytes: number,
  ) {
    const url = new URL(server);
    this.sender =
      proxyFor(url) === undefined
        ? new NativeSender(url, timeoutMs, maxResponseBytes)
        : // eslint-disable-next-line @typescript-eslint/no-require-imports
          new (require('./http-axios') as typeof import('./http-axios')).AxiosSender(server, timeoutMs, maxResponseBytes);
  }

  /** 'node' or 'axios': which stack carries the requests (for tests and diagnostics). */
  get via(): string {
    return this.sender instanceof NativeSender ? 'node' : 'axios';
  }

  get closedSignal(): AbortSignal {
    return this.closing.signal;
  }

  send(spec: RequestSpec): Promise<RawResponse> {
    return this.sender.send(spec, this.closing.signal);
  }

  /** Cancels everything in flight and frees the kept-alive sockets. */
  close(): void {
    this.closing.abort();
    this.sender.close();
  }
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

class NativeSender implements Sender {
  private readonly lib: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly hostname: string;
  private readonly port: number | undefined;
  private readonly base: string;

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
      const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': USER_AGENT, ...spec.headers };
      if (spec.data !== undefined) headers['Content-Length'] = String(Buffer.byteLength(spec.data));

      const finish = (err: Error | undefined, res?: RawResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        closing.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(res!);
      };
      const fail = (err: unknown): void => finish(errorFromTransport(operation, err, cause, this.timeoutMs));
      const stop = (why: AbortCause): void => {
        cause ??= why;
        fail(undefined);
        req.destroy();
      };
      const onAbort = (): void => stop('caller');
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
      signal?.addEventListener('abort', onAbort, { once: true });
      closing.addEventListener('abort', onAbort, { once: true });

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
          const body = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
          finish(undefined, { status: res.statusCode ?? 0, headers: flatHeaders(res.headers), body });
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

  close(): void {
    this.agent.destroy();
  }
}

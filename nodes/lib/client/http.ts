// The HTTP layer: one axios instance per client, keep-alive agents, a wall-clock timeout, a
// response size cap, no redirects, and every status handed back to the caller to classify.
// Proxy variables (HTTPS_PROXY, NO_PROXY) are honoured as axios does by default; TLS
// verification is left on.
import http from 'node:http';
import https from 'node:https';
import type { AxiosInstance, CreateAxiosDefaults } from 'axios';
import { errorFromTransport, type AbortCause, type Operation, type RawResponse } from './classify';

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

const USER_AGENT = 'node-red-contrib-thingspace-sms';

export class HttpTransport {
  private readonly defaults: CreateAxiosDefaults;
  private axios: Promise<AxiosInstance> | undefined;
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent = new https.Agent({ keepAlive: true });
  /** Aborted by close(): cancels every request of this client, shared ones included. */
  private readonly closing = new AbortController();

  constructor(
    private readonly server: string,
    readonly timeoutMs: number,
    maxResponseBytes: number,
  ) {
    this.defaults = {
      timeout: timeoutMs,
      maxContentLength: maxResponseBytes,
      maxBodyLength: maxResponseBytes,
      maxRedirects: 0,
      responseType: 'text',
      responseEncoding: 'utf8',
      // Keep the body as text: JSON parsing and its failures are ours to classify.
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
    };
  }

  /** axios is loaded at the first request, not at start-up: requiring it (and its
   *  dependencies) costs Node-RED's start more than the rest of the package together. */
  private instance(): Promise<AxiosInstance> {
    this.axios ??= import('axios').then((m) => m.default.create(this.defaults));
    return this.axios;
  }

  get closedSignal(): AbortSignal {
    return this.closing.signal;
  }

  async send(spec: RequestSpec): Promise<RawResponse> {
    const controller = new AbortController();
    let cause: AbortCause;
    const onCallerAbort = (): void => {
      cause ??= 'caller';
      controller.abort();
    };
    // axios's own timeout is an idle timer on the socket; this one bounds the whole exchange.
    const timer = setTimeout(() => {
      cause ??= 'timeout';
      controller.abort();
    }, this.timeoutMs);
    const stops = [spec.signal, this.closing.signal].filter((s): s is AbortSignal => s !== undefined);
    for (const s of stops) {
      if (s.aborted) onCallerAbort();
      else s.addEventListener('abort', onCallerAbort, { once: true });
    }
    try {
      const res = await (await this.instance()).request<string>({
        method: spec.method,
        url: this.server + spec.path,
        headers: { Accept: 'application/json', 'User-Agent': USER_AGENT, ...spec.headers },
        data: spec.data,
        signal: controller.signal,
      });
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(res.headers ?? {})) {
        if (value !== undefined && value !== null) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      }
      return { status: res.status, headers, body: typeof res.data === 'string' ? res.data : '' };
    } catch (err) {
      throw errorFromTransport(spec.operation, err, cause, this.timeoutMs);
    } finally {
      clearTimeout(timer);
      for (const s of stops) s.removeEventListener('abort', onCallerAbort);
    }
  }

  /** Cancels everything in flight and frees the kept-alive sockets. */
  close(): void {
    this.closing.abort();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

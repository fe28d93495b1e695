// Requests through axios, used only when a proxy variable applies to the server (http.ts):
// axios reads HTTPS_PROXY / HTTP_PROXY / NO_PROXY itself. Same contract as the native sender:
// keep-alive, a wall-clock timeout, a response size cap, no redirects, TLS verification on,
// every status handed back. Loaded on first use, never at start-up.
import http from 'node:http';
import https from 'node:https';
import type { AxiosInstance, CreateAxiosDefaults } from 'axios';
import { errorFromTransport, type AbortCause, type RawResponse } from './classify';
import { USER_AGENT, type RequestSpec, type Sender } from './transport';

export class AxiosSender implements Sender {
  private readonly defaults: CreateAxiosDefaults;
  private axios: Promise<AxiosInstance> | undefined;
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent = new https.Agent({ keepAlive: true });

  constructor(
    private readonly server: string,
    private readonly timeoutMs: number,
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

  private instance(): Promise<AxiosInstance> {
    this.axios ??= import('axios').then((m) => m.default.create(this.defaults));
    return this.axios;
  }

  async send(spec: RequestSpec, closing: AbortSignal): Promise<RawResponse> {
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
    const stops = [spec.signal, closing].filter((s): s is AbortSignal => s !== undefined);
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

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

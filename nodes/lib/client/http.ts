// The HTTP layer: keep-alive agents, a wall-clock timeout over the whole exchange, a response
// size cap, no redirects, TLS verification left on, and every status handed back to the
// caller to classify. Requests go out on node:http(s) directly (http-native.ts): one request
// per history block is the drain's hot path, and a general-purpose client (axios) cost a
// fifth of the drain's speed there. When a proxy variable applies to the server
// (HTTPS_PROXY and friends, minus NO_PROXY), requests go through axios instead, which
// honours them (http-axios.ts); the behaviour seen by the caller is the same either way.
import type { RawResponse } from './classify';
import type { RequestSpec, Sender } from './transport';
import { proxyFor } from './proxy';
import { NativeSender } from './http-native';

export class HttpTransport {
  private readonly sender: Sender;
  /** Aborted by close(): cancels every request of this client, shared ones included. */
  private readonly closing = new AbortController();

  constructor(
    server: string,
    timeoutMs: number,
    maxResponseBytes: number,
  ) {
    const url = new URL(server);
    this.sender =
      proxyFor(url) === undefined
        ? new NativeSender(url, timeoutMs, maxResponseBytes)
        : // eslint-disable-next-line @typescript-eslint/no-require-imports
          new (require('./http-axios') as typeof import('./http-axios')).AxiosSender(server, timeoutMs, maxResponseBytes);
  }

  /** Which stack carries the requests: 'node' (node:http) or 'axios' (a proxy applies). */
  get via(): 'node' | 'axios' {
    return this.sender instanceof NativeSender ? 'node' : 'axios';
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

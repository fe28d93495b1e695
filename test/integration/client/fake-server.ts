// A tiny local HTTP server for answers the simulator does not give on purpose (a Location
// on another host, a redirect, a 10 MB body...). Token and login succeed; every history
// call is answered by the test's own handler. It records each request it saw.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Handler = (req: SeenRequest, res: http.ServerResponse) => void;

export class FakeServer {
  readonly seen: SeenRequest[] = [];
  handler: Handler = (_req, res) => res.writeHead(404).end();
  /** Replaces the default token answer (always the same token) when set. */
  tokenHandler?: Handler;
  private readonly sockets = new Set<import('node:net').Socket>();

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<FakeServer> {
    const server = http.createServer();
    const fake = new FakeServer(server);
    server.on('connection', (s) => {
      fake.sockets.add(s);
      s.on('close', () => fake.sockets.delete(s));
    });
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        fake.seen.push(seen);
        if (seen.url.startsWith('/api/ts/v1/oauth2/') && fake.tokenHandler) {
          fake.tokenHandler(seen, res);
        } else if (seen.url === '/api/ts/v1/oauth2/token') {
          res
            .writeHead(200, { 'Content-Type': 'application/json' })
            .end(JSON.stringify({ access_token: 'fake-bearer-token', token_type: 'Bearer', expires_in: 3600 }));
        } else if (seen.url === '/api/m2m/v1/session/login') {
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ sessionToken: 'fake-session-token' }));
        } else {
          fake.handler(seen, res);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests other than token and login. */
  get calls(): SeenRequest[] {
    return this.seen.filter((r) => !r.url.startsWith('/api/ts/') && !r.url.endsWith('/session/login'));
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export const SMS = { deviceIds: [{ kind: 'mdn', id: '5551230001' }], message: 'hello', timestamp: '2024-05-02T09:15:07-07:00' };

export function reply(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(typeof body === 'string' ? body : JSON.stringify(body));
}

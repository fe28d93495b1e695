// A small fake ThingSpace for answers the simulator does not give: token and login as
// documented, then one crafted history answer, then a good final block of known SMS, then
// empty blocks. It records every path asked for, so a test can tell a request off the
// documented paths (docs/thingspace-api.md, "Hosts and paths") from the rest.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SmsMessage } from '../../../../simulator/options';

export interface Crafted {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

const DOCUMENTED = [
  /^POST \/api\/ts\/v1\/oauth2\/token$/,
  /^POST \/api\/ts\/v1\/oauth2\/revoke$/,
  /^POST \/api\/m2m\/v1\/session\/login$/,
  /^POST \/api\/m2m\/v1\/session\/logout$/,
  /^GET \/api\/m2m\/v1\/sms\/[A-Za-z0-9-]{3,32}\/history(\?next=[^&]+)?$/,
];

export class FakeThingSpace {
  readonly requests: string[] = [];
  private crafted: Crafted | undefined;
  private good: SmsMessage[] = [];

  private constructor(private readonly server: http.Server) {}

  static async start(host = '127.0.0.1'): Promise<FakeThingSpace> {
    const holder: { fake?: FakeThingSpace } = {};
    const server = http.createServer((req, res) => holder.fake!.handle(req, res));
    const fake = new FakeThingSpace(server);
    holder.fake = fake;
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    return fake;
  }

  get url(): string {
    const a = this.server.address() as AddressInfo;
    return `http://${a.address}:${a.port}`;
  }

  /** The next history call gets `crafted`; the one after it a final block of `good`. */
  arm(crafted: Crafted, good: SmsMessage[]): void {
    this.crafted = crafted;
    this.good = good;
  }

  offPath(): string[] {
    return this.requests.filter((r) => !DOCUMENTED.some((d) => d.test(r)));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const line = `${req.method} ${req.url}`;
    this.requests.push(line);
    req.resume();
    req.on('end', () => {
      const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (line.startsWith('POST /api/ts/v1/oauth2/token'))
        return json(200, { access_token: 'fake-bearer', token_type: 'Bearer', expires_in: 3600, scope: 'default' });
      if (line.startsWith('POST /api/m2m/v1/session/login')) return json(200, { sessionToken: 'fake-session', expiresIn: 1200 });
      if (/^GET \/api\/m2m\/v1\/sms\/[^/]+\/history/.test(line)) {
        const c = this.crafted;
        if (c) {
          this.crafted = undefined;
          res.writeHead(c.status, { 'Content-Type': 'application/json', ...c.headers });
          res.end(c.body);
          return;
        }
        const messages = this.good;
        this.good = [];
        return json(200, { hasMoreData: false, messages });
      }
      json(404, { fault: { code: 900906, message: 'No matching resource found' } });
    });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

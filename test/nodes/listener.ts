// A callback listener for node tests: a real HTTP server on loopback that hands each POST to
// a node as an `http in` node would (msg.payload the parsed body, msg.req with the headers and
// the peer address, msg.res with an express-like `_res`), so the simulator's pushes and notices
// reach our nodes over real HTTP. What the node (or a flow node) answers goes back to the caller.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { helper } from './runtime';

export interface Listener {
  url: string;
  /** Statuses answered, in order. */
  answers: number[];
  close(): Promise<void>;
}

/** express's `res` as http in puts it on msg.res._res, as far as our nodes and the tests use it. */
function expressLike(res: http.ServerResponse, answers: number[]): Record<string, unknown> {
  const wrapper = {
    get headersSent() {
      return res.headersSent;
    },
    status(code: number) {
      res.statusCode = code;
      return wrapper;
    },
    end() {
      answers.push(res.statusCode);
      res.end();
    },
  };
  return wrapper;
}

/** Posts to `path` go to node `nodeId`; extra headers (X-Forwarded-For) pass through. */
export async function startListener(nodeId: string, path = '/thingspace/sms'): Promise<Listener> {
  const answers: number[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== path) {
        res.writeHead(404).end();
        return;
      }
      let payload: unknown = body;
      try {
        payload = JSON.parse(body);
      } catch {
        // a text body stays text, as http in leaves it
      }
      const fakeReq = { headers: req.headers, socket: { remoteAddress: req.socket.remoteAddress }, body: payload };
      helper.getNode(nodeId).receive({ payload, req: fakeReq, res: { _res: expressLike(res, answers) } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  return {
    url,
    answers,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Answers 200 to the http request of every message that reaches helper node `id`, as an
 *  `http response` node would, and collects the messages. */
export function collectAndAnswer(id: string): Record<string, unknown>[] {
  const got: Record<string, unknown>[] = [];
  helper.getNode(id).on('input', ((msg: Record<string, unknown>) => {
    got.push(msg);
    const res = (msg.res as { _res?: { headersSent?: boolean; status(c: number): { end(): void } } } | undefined)?._res;
    if (res && !res.headersSent) res.status(200).end();
  }) as never);
  return got;
}

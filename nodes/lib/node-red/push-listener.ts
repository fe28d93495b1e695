// sms-queue-in's own callback listener: a POST route on RED.httpNode, added and removed as http in does, so a
// redeploy leaves exactly one. A path served already is a BAD_CONFIG, never a second route.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRequestBody } from './request-body';
import { configError } from './report';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- express's handlers, whatever their typing
export type Handler = (req: any, res: any, next: (err?: unknown) => void) => void;

/** The part of RED.httpNode the listener uses: express 4 keeps the router in `_router`, express 5 in `router`. */
export interface HttpNodeApp {
  post(path: string, ...handlers: Array<Handler | Handler[]>): unknown;
  _router?: { stack: RouterLayer[] };
  router?: { stack: RouterLayer[] };
}

interface RouterLayer {
  route?: { path?: unknown; methods?: Record<string, boolean>; stack?: Array<{ handle?: unknown }> };
}

export interface ListenerRequest {
  /** The request as http in passes it on (headers, socket: for the source allow-list). */
  req: IncomingMessage;
  body: unknown;
  /** express's response, which http in puts on msg.res._res. */
  res: ServerResponse & { status(code: number): ServerResponse };
}

/** A `listen` property: empty (no listener) or a plain absolute path, returned without a trailing slash. */
export function checkListenPath(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') return '';
  const path = text.startsWith('/') ? text : `/${text}`;
  // No express patterns (:param, *, ?, parentheses): the path is matched as written.
  if (path.length > 200 || !/^(\/[A-Za-z0-9._~-]+)+\/?$/.test(path)) {
    throw configError(`Invalid listen path "${text}": a path such as /thingspace/sms (letters, digits, . _ ~ - between slashes)`);
  }
  return path.replace(/(.)\/$/, '$1');
}

export function stackOf(app: HttpNodeApp): RouterLayer[] {
  if (app._router) return app._router.stack;
  try {
    return app.router?.stack ?? [];
  } catch {
    // express 4 throws on `app.router`; its `_router` exists once a first route does.
    return [];
  }
}

/** express matches paths without case and with or without a trailing slash. */
export const samePath = (a: unknown, b: string): boolean => typeof a === 'string' && a.toLowerCase().replace(/(.)\/$/, '$1') === b.toLowerCase();

export class PushListener {
  private readonly handler: Handler = (req: IncomingMessage, res: ListenerRequest['res']) => {
    const answer = (status: number) => res.status(status).end();
    readRequestBody(req).then(
      (read) => (read.ok ? this.onRequest({ req, res, body: read.body }) : answer(read.status)),
      () => answer(500),
    );
  };

  constructor(
    private readonly app: HttpNodeApp,
    readonly path: string,
    private readonly onRequest: (r: ListenerRequest) => void,
    /** Node-RED's httpNodeMiddleware, run before the handler as for http in routes. */
    private readonly middleware: Handler[] = [],
  ) {}

  /** Registers the route; throws BAD_CONFIG when another route serves POST on the path (`by`: that node, when known). */
  open(by = 'an http in node or another sms-queue-in'): void {
    const served = stackOf(this.app).some((l) => samePath(l.route?.path, this.path) && l.route?.methods?.post && !this.isOurs(l));
    if (served) {
      throw configError(`Listen path ${this.path} is already served on Node-RED's HTTP server (by ${by}): choose another path, or remove the other one`);
    }
    this.app.post(this.path, ...this.middleware, this.handler);
  }

  close(): void {
    const stack = stackOf(this.app);
    for (let i = stack.length - 1; i >= 0; i--) if (this.isOurs(stack[i])) stack.splice(i, 1);
  }

  private isOurs(layer: RouterLayer): boolean {
    return layer.route?.stack?.some((l) => l.handle === this.handler) ?? false;
  }
}

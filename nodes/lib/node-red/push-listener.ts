// sms-queue-in's own callback listener (the `listen` property): a POST route on Node-RED's HTTP
// node server (RED.httpNode), registered as the core http in node registers its routes and
// removed the same way on close, so a redeploy leaves exactly one. A path some other route
// serves already (an http in node, another sms-queue-in) is a BAD_CONFIG, never a second route.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRequestBody } from './request-body';
import { NodeError } from './report';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- express's handlers, whatever their typing
export type Handler = (req: any, res: any, next: (err?: unknown) => void) => void;

/** The part of an express app (RED.httpNode) the listener uses: express 4 keeps the router in
 *  `_router`, express 5 in `router`. */
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
  /** The decoded body. */
  body: unknown;
  /** express's response, which http in puts on msg.res._res. */
  res: ServerResponse;
}

/** Checks a `listen` property: empty (no listener) or a plain absolute path, returned without
 *  a trailing slash. */
export function checkListenPath(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') return '';
  const path = text.startsWith('/') ? text : `/${text}`;
  // No express patterns (:param, *, ?, parentheses): the path is matched as written.
  if (path.length > 200 || !/^(\/[A-Za-z0-9._~-]+)+\/?$/.test(path)) {
    throw new NodeError(`Invalid listen path "${text}": a path such as /thingspace/sms (letters, digits, . _ ~ - between slashes)`, 'BAD_CONFIG');
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

const servesPost = (layer: RouterLayer, path: string): boolean => samePath(layer.route?.path, path) && layer.route?.methods?.post === true;

export class PushListener {
  private readonly handler: Handler;

  constructor(
    private readonly app: HttpNodeApp,
    readonly path: string,
    onRequest: (r: ListenerRequest) => void,
    /** Node-RED's httpNodeMiddleware, run before the handler as for http in routes. */
    private readonly middleware: Handler[] = [],
  ) {
    this.handler = (req: IncomingMessage, res: ServerResponse) => {
      const answer = (status: number): void => {
        if (res.headersSent) return;
        res.statusCode = status;
        res.end();
      };
      readRequestBody(req).then(
        (read) => (read.ok ? onRequest({ req, res, body: read.body }) : answer(read.status)),
        () => answer(500),
      );
    };
  }

  /** Another route on the same path (POST) of the HTTP node server, if any. */
  conflict(): boolean {
    return stackOf(this.app).some((layer) => servesPost(layer, this.path) && !this.isOurs(layer));
  }

  /** Registers the route; throws BAD_CONFIG when the path is served already. */
  open(): void {
    if (this.conflict()) throw this.conflictError();
    this.app.post(this.path, ...this.middleware, this.handler);
  }

  /** `by`: the other node, when known. */
  conflictError(by = 'an http in node or another sms-queue-in'): NodeError {
    return new NodeError(
      `Listen path ${this.path} is already served on Node-RED's HTTP server (by ${by}): choose another path, or remove the other one`,
      'BAD_CONFIG',
    );
  }

  /** Removes the route this listener added (and only it). */
  close(): void {
    const stack = stackOf(this.app);
    for (let i = stack.length - 1; i >= 0; i--) if (this.isOurs(stack[i])) stack.splice(i, 1);
  }

  private isOurs(layer: RouterLayer): boolean {
    return layer.route?.stack?.some((l) => l.handle === this.handler) ?? false;
  }
}

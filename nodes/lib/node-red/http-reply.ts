// ThingSpace must get an answer, or it retries the callback (docs/thingspace-api.md, "Callback listeners").
import type { NodeMessage } from 'node-red';

/** Replies with `status` and no body if `msg.res` is an http in response not yet answered. */
export function answerHttp(msg: NodeMessage, status: number): void {
  const res = (msg.res as { _res?: { headersSent?: boolean; status(code: number): { end(): void } } } | undefined)?._res;
  if (!res || typeof res.status !== 'function' || res.headersSent) return;
  try {
    res.status(status).end();
  } catch {
    // The socket may be gone; nothing else to do for this request.
  }
}

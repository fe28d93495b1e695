// When each request reached an in-process HTTP server (the simulator) and when its answer
// was sent, from Node's own http diagnostics channels: exact, in order, and without a seam
// in the server. Tests use it to show what only timing shows, e.g. that a poll loop waited
// its interval between two requests.
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface TracedRequest {
  method: string;
  path: string;
  /** performance.now() when the request reached the server. */
  start: number;
  /** performance.now() when the answer was sent; undefined while in flight (or never answered). */
  finish?: number;
  status?: number;
}

export interface HttpTrace {
  /** Every request so far, in order of arrival. */
  readonly requests: TracedRequest[];
  stop(): void;
}

interface ServerMessage {
  request: IncomingMessage;
  response: ServerResponse;
  socket: Socket;
}

/** Traces the requests to the server listening on `port` whose path matches `path`. */
export function traceRequests(port: number, path: RegExp): HttpTrace {
  const requests: TracedRequest[] = [];
  const open = new WeakMap<IncomingMessage, TracedRequest>();
  const ours = (m: ServerMessage): boolean => m.socket.localPort === port && path.test((m.request.url ?? '').split('?')[0]);
  const onStart = (message: unknown): void => {
    const m = message as ServerMessage;
    if (!ours(m)) return;
    const r: TracedRequest = { method: m.request.method ?? '', path: (m.request.url ?? '').split('?')[0], start: performance.now() };
    requests.push(r);
    open.set(m.request, r);
  };
  const onFinish = (message: unknown): void => {
    const m = message as ServerMessage;
    const r = open.get(m.request);
    if (!r) return;
    r.finish = performance.now();
    r.status = m.response.statusCode;
  };
  diagnostics.subscribe('http.server.request.start', onStart);
  diagnostics.subscribe('http.server.response.finish', onFinish);
  return {
    requests,
    stop: () => {
      diagnostics.unsubscribe('http.server.request.start', onStart);
      diagnostics.unsubscribe('http.server.response.finish', onFinish);
    },
  };
}

/** `GET /path 200 at 12-13 ms` lines, times from the first request: for failure messages. */
export function describeTrace(requests: TracedRequest[]): string {
  const t0 = requests[0]?.start ?? 0;
  const ms = (t: number | undefined): string => (t === undefined ? '?' : (t - t0).toFixed(0));
  return requests.map((r) => `${r.method} ${r.path} ${r.status ?? '-'} at ${ms(r.start)}-${ms(r.finish)} ms`).join('\n');
}

/** Time from each answered request's answer to the start of the request after it, in ms. */
export function gapsBetween(requests: TracedRequest[]): number[] {
  const gaps: number[] = [];
  for (let i = 1; i < requests.length; i++) {
    const before = requests[i - 1].finish;
    if (before !== undefined) gaps.push(requests[i].start - before);
  }
  return gaps;
}

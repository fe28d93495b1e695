// The runtime-wide part of operations (docs/operations.md): the activity board and the editor's
// sidebar tab over it, the Prometheus metrics, and the metrics and health paths on Node-RED's HTTP
// node server, which answers even with the editor and admin API off. Set in settings.js as
// `thingspaceSms`: the endpoints are the runtime's, not an account's.
import type { NodeAPI } from 'node-red';
import { Activity, type AccountActivity } from './activity';
import { loadMetrics, type Metrics } from './metrics';
import { checkListenPath, samePath, stackOf, type Handler, type HttpNodeApp } from './push-listener';

/** Reads settings.js's `thingspaceSms`; throws on a value that cannot be meant. `metrics`: on prom-client's default registry. */
export function readOperations(value: unknown): { metrics: boolean; metricsPath?: string; healthPath?: string } {
  if (value === undefined || value === null) return { metrics: true };
  if (typeof value !== 'object') throw new Error('thingspaceSms must be an object: { metrics, metricsPath, healthPath }');
  const v = value as Record<string, unknown>;
  if (v.metrics !== undefined && typeof v.metrics !== 'boolean') throw new Error('thingspaceSms.metrics must be true or false');
  const path = (name: 'metricsPath' | 'healthPath'): string | undefined => {
    if (v[name] === undefined || v[name] === '') return undefined;
    try {
      return checkListenPath(v[name]) || undefined;
    } catch {
      throw new Error(`thingspaceSms.${name} must be a path such as /thingspace/${name === 'healthPath' ? 'health' : 'metrics'}`);
    }
  };
  const s = { metrics: v.metrics !== false, metricsPath: path('metricsPath'), healthPath: path('healthPath') };
  if (s.metricsPath && s.healthPath && samePath(s.metricsPath, s.healthPath)) throw new Error('thingspaceSms.metricsPath and healthPath must differ');
  return s;
}

export function operations(RED: NodeAPI): Activity {
  const log = (text: string): void => RED.log.error(`[thingspace-sms] ${text}`);
  let settings: ReturnType<typeof readOperations>;
  try {
    settings = readOperations((RED.settings as unknown as Record<string, unknown>).thingspaceSms);
  } catch (err) {
    log(`${(err as Error).message}; the metrics and health paths are not served`);
    settings = { metrics: true };
  }
  const metrics = settings.metrics ? loadMetrics() : undefined;
  const activity = new Activity(metrics);
  activityFeed(RED, activity);
  const checks: Array<() => void> = [];
  if (settings.metricsPath && !metrics) log('thingspaceSms.metricsPath is set but metrics are off (thingspaceSms.metrics: false): not served');
  else if (settings.metricsPath && metrics) checks.push(serve(RED, settings.metricsPath, metricsHandler(metrics), log));
  if (settings.healthPath) checks.push(serve(RED, settings.healthPath, healthHandler(activity), log));
  // Once every http in node of the deploy has its route.
  if (checks.length > 0) RED.events.on('flows:started', () => checks.forEach((check) => check()));
  return activity;
}

const ACTIVITY_TOPIC = 'thingspace-sms/activity';
const PUBLISH_EVERY_MS = 1000;

/** `at`: the runtime's clock, so the editor says "5 s ago" right whatever the browser's clock says. */
export interface ActivitySnapshot {
  at: number;
  accounts: AccountActivity[];
}

/** What the editor's sidebar tab (nodes/thingspace-config.html) reads: the board on an admin route for the
 *  first load, then over RED.comms while it changes, at most once a second. */
export function activityFeed(RED: NodeAPI, board: Activity): void {
  const snapshot = (): ActivitySnapshot => ({ at: Date.now(), accounts: board.list() });
  RED.httpAdmin.get('/thingspace-sms/activity', RED.auth.needsPermission('thingspace-sms.read'), (_req, res) => {
    res.json(snapshot());
  });
  let timer: NodeJS.Timeout | undefined;
  let last = 0;
  board.onChange = () => {
    timer ??= setTimeout(
      () => {
        timer = undefined;
        last = Date.now();
        // Retained: an editor that connects later gets the last state with its subscription.
        RED.comms.publish(ACTIVITY_TOPIC, snapshot(), true);
      },
      Math.max(0, last + PUBLISH_EVERY_MS - Date.now()),
    );
  };
}

/** A GET route registered at load; returns the check that leaves a path another route serves too to it, and says so. */
function serve(RED: NodeAPI, path: string, handle: Handler, log: (text: string) => void): () => void {
  if (RED.settings.httpNodeRoot === false) {
    log(`${path} cannot be served: Node-RED's HTTP node server is off (httpNodeRoot: false)`);
    return () => undefined;
  }
  const app = RED.httpNode as unknown as HttpNodeApp & { get(path: string, ...h: Handler[]): unknown };
  let yielded = false;
  const handler: Handler = (req, res, next) => (yielded ? next() : handle(req, res, next));
  // Node-RED's httpNodeMiddleware runs first, as for http in routes (an auth check, say).
  app.get(path, ...[RED.settings.httpNodeMiddleware].flat().filter((m): m is Handler => typeof m === 'function'), handler);
  // Run in a runtime event: never throws, as a throw would stop the runtime's other listeners.
  return () => {
    try {
      yielded = stackOf(app).some((l) => samePath(l.route?.path, path) && l.route?.methods?.get && !l.route.stack?.some((s) => s.handle === handler));
      if (yielded)
        log(
          `${path} is already served on Node-RED's HTTP server (by ${servedBy(RED, path)}): not served by thingspace-sms; change thingspaceSms in settings.js or the other node`,
        );
    } catch (err) {
      log(`checking ${path}: ${(err as Error).message}`);
    }
  };
}

function servedBy(RED: NodeAPI, path: string): string {
  let by = 'another route';
  RED.nodes.eachNode((n: object) => {
    const c = n as { type?: string; method?: string; url?: string; id?: string; name?: string };
    if (c.type === 'http in' && c.method === 'get' && samePath(`/${(c.url ?? '').trim().replace(/^\//, '')}`, path))
      by = `http in node ${c.name ? `"${c.name}" ` : ''}(${c.id})`;
  });
  return by;
}

function metricsHandler(metrics: Metrics): Handler {
  return (_req, res) => {
    metrics.registry.metrics().then(
      (text) => res.set('Content-Type', metrics.registry.contentType).send(text),
      (err: Error) => res.status(500).send(err.message),
    );
  };
}

/** 200 while every account reads or stands by, else 503; times as ISO strings. */
function healthHandler(activity: Activity): Handler {
  const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());
  return (_req, res) => {
    const accounts = activity.list().map((a) => ({
      account: a.account,
      runtime: a.runtime,
      state: a.state,
      code: a.code,
      holder: a.holder,
      lastSuccess: iso(a.lastSuccess),
      lastPoll: iso(a.lastPoll),
    }));
    const ok = accounts.every((a) => a.state === 'reading' || a.state === 'standby' || a.state === 'sending');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', accounts });
  };
}

// The ThingSpace simulator: a node:http server (node:https with the `tls` option), its lifecycle and the routing of each
// request through faults and latency to the endpoint handlers (m2m.ts) or the control
// interface (control.ts). This class is the programmatic API tests code against.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { CallbackListener, SmsMessage } from '../nodes/lib/types';
import { ACCOUNT_NAME_PATTERN } from '../nodes/lib/types';
import type { FaultRule, SentSms, SimulatorCounters, SimulatorOptions, SimulatorTls } from './options';
import { Auth, type AuthSettings } from './auth';
import { CallbackPusher, CallbackRegistry, type PushRecord } from './callbacks';
import { handleControl, type Controllable } from './control';
import { bump, emptyCounters } from './counters';
import { DeviceFleet } from './devices';
import { FaultSet, NON_REPLY_KINDS, faultReply } from './faults';
import { handleApi, type ApiContext } from './m2m';
import { MtService } from './mt';
import { SmsQueue } from './queue';
import { TokenMint } from './tokens';
import { HistoryLog, type HistoryRecord } from './history-log';
import { BodyTooLarge, gatewayFault, json, readBody, send, type Reply } from './reply';
import { matchRoute, type ApiRoute } from './routes';
import { resolveOptions, validateFaultRule, validateOptions, type ResolvedOptions } from './settings';

const API_BODY_LIMIT = 1024 * 1024;
const CONTROL_BODY_LIMIT = 64 * 1024 * 1024;
/** generate() without `devices` spreads the SMS over this many synthetic devices. */
const GENERATED_DEVICES = 10;

function authSettings(o: ResolvedOptions): AuthSettings {
  return {
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    username: o.username,
    password: o.password,
    tokenTtlSec: o.tokenTtlSec,
    sessionIdleSec: o.sessionIdleSec,
    lockoutAfter: o.lockoutAfter,
  };
}

export class ThingSpaceSimulator implements Controllable {
  private opts: ResolvedOptions;
  private readonly auth: Auth;
  private readonly queues = new Map<string, SmsQueue>();
  private counterValues: SimulatorCounters = emptyCounters();
  private readonly faultSet = new FaultSet();
  private readonly registry = new CallbackRegistry();
  private readonly pusher: CallbackPusher;
  private readonly fleet: DeviceFleet;
  private readonly mt: MtService;
  private readonly server: http.Server | https.Server;
  private readonly scheme: 'http' | 'https';
  private readonly sockets = new Set<Socket>();
  private readonly api: ApiContext;
  private readonly tokens = new TokenMint();
  private readonly historyLog = new HistoryLog();
  private generatedSerial = 0;
  private boundPort = 0;
  private stopping?: Promise<void>;

  static async start(opts?: SimulatorOptions): Promise<ThingSpaceSimulator> {
    const sim = new ThingSpaceSimulator(resolveOptions(opts), opts?.tls);
    await sim.listen();
    return sim;
  }

  private constructor(opts: ResolvedOptions, tls: SimulatorTls | undefined) {
    this.opts = opts;
    this.faultSet.seed(opts.seed);
    this.auth = new Auth(authSettings(opts));
    for (const account of opts.accounts) this.queues.set(account, new SmsQueue());
    this.pusher = new CallbackPusher({
      queue: (a) => this.queueFor(a),
      registry: this.registry,
      shape: () => this.opts.callbackShape,
      onPushed: () => {
        this.counterValues.callbacksPushed++;
        this.counterValues.messagesAcked++;
      },
      onFailure: () => this.counterValues.callbackFailures++,
      log: (line) => this.log(line),
    });
    this.fleet = new DeviceFleet((sms) => this.enqueue(sms));
    this.mt = new MtService({
      opts: () => this.opts,
      counters: () => this.counterValues,
      knownAccount: (a) => this.queues.has(a),
      registry: this.registry,
      enqueue: (sms, account) => this.enqueue(sms, account),
      log: (line) => this.log(line),
    });
    this.api = {
      opts: () => this.opts,
      auth: this.auth,
      counters: () => this.counterValues,
      registry: this.registry,
      pusher: this.pusher,
      mt: this.mt,
      queue: (a) => this.queues.get(a),
      newToken: () => this.newToken(),
      log: (line) => this.log(line),
    };
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.onRequest(req, res).catch((err: Error) => {
        this.log(`internal error: ${err.message}`);
        send(res, json(500, { errorCode: 'UnifiedWebService.REQUEST_FAILED.UnexpectedError', errorMessage: 'Simulator internal error.' }));
      });
    };
    this.scheme = tls ? 'https' : 'http';
    this.server = tls ? https.createServer({ keepAlive: true, key: tls.key, cert: tls.cert }, handler) : http.createServer({ keepAlive: true }, handler);
    // Idle keep-alive sockets outlive the clients' own idle timeouts (Node's agent: 5 s), so the
    // client always closes first and never reuses a socket the server is closing at that moment.
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
    this.server.on('connection', (socket: Socket) => {
      this.counterValues.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', reject);
        this.boundPort = (this.server.address() as AddressInfo).port;
        this.fleet.start(this.opts.devices, this.opts.deviceEverySec);
        resolve();
      });
    });
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    const host = this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host;
    return `${this.scheme}://${host}:${this.boundPort}`;
  }

  /** Changes modes, lifetimes, latency, credentials, devices at run time; host, port and tls stay. */
  configure(partial: Partial<SimulatorOptions>): void {
    validateOptions(partial);
    const defined = Object.fromEntries(Object.entries(partial).filter(([k, v]) => v !== undefined && k !== 'host' && k !== 'port' && k !== 'tls'));
    const before = this.opts;
    this.opts = { ...this.opts, ...defined };
    for (const account of this.opts.accounts) if (!this.queues.has(account)) this.queues.set(account, new SmsQueue());
    this.auth.configure(authSettings(this.opts));
    if (partial.seed !== undefined) this.faultSet.seed(partial.seed);
    this.mt.configure();
    if (before.devices !== this.opts.devices || before.deviceEverySec !== this.opts.deviceEverySec) {
      this.fleet.start(this.opts.devices, this.opts.deviceEverySec);
    }
  }

  /** The options, secrets masked (the control interface returns them). */
  options(): Record<string, unknown> {
    return { ...this.opts, clientSecret: '***', password: '***' };
  }

  defaultAccount(): string {
    return this.opts.accounts[0];
  }

  /** Stored as given (not copied or checked), so tests can enqueue odd shapes on purpose.
   *  Enqueueing to an account not yet known makes it known (its queue is created). */
  enqueue(sms: SmsMessage | SmsMessage[], account?: string): void {
    const list = Array.isArray(sms) ? sms : [sms];
    const accountName = account ?? this.defaultAccount();
    const queue = this.queueFor(accountName);
    for (const one of list) queue.push(one);
    this.counterValues.enqueued += list.length;
    if (list.length > 0) this.pusher.notify(accountName);
  }

  /** `count` synthetic SMS with unique texts, stored as one segment and built only when served. */
  generate(count: number, opts: { account?: string; devices?: number } = {}): void {
    const accountName = opts.account ?? this.defaultAccount();
    const devices = opts.devices ?? (this.opts.devices > 0 ? this.opts.devices : GENERATED_DEVICES);
    const now = Date.now();
    this.queueFor(accountName).pushGenerated(this.generatedSerial, count, devices, now - count, 1);
    this.generatedSerial += count;
    this.counterValues.enqueued += count;
    if (count > 0) this.pusher.notify(accountName);
  }

  /** Unacknowledged SMS of one account (default: the first configured account). */
  queued(account?: string): number {
    return this.queues.get(account ?? this.defaultAccount())?.size ?? 0;
  }

  peek(account: string | undefined, limit: number): SmsMessage[] {
    return this.queues.get(account ?? this.defaultAccount())?.peek(limit) ?? [];
  }

  addFault(rule: FaultRule): void {
    this.faultSet.add(validateFaultRule(rule));
  }

  clearFaults(): void {
    this.faultSet.clear();
  }

  faults(): FaultRule[] {
    return this.faultSet.list();
  }

  expireBearer(): void {
    this.auth.expireBearer();
  }

  expireSession(): void {
    this.auth.expireSessions();
  }

  unlock(username?: string): void {
    this.auth.unlock(username);
  }

  callbacks(account?: string): CallbackListener[] {
    return this.registry.list(account);
  }

  recentPushes(): PushRecord[] {
    return [...this.pusher.recent];
  }

  /** The SMS accepted by POST /sms, oldest first (the latest 200,000); with `device`
   *  (`kind:id`, e.g. `mdn:15551230001`), only those sent to that device. */
  sentSms(device?: string): SentSms[] {
    return this.mt.sentSms(device);
  }

  history(account?: string): HistoryRecord[] {
    return this.historyLog.list(account);
  }

  counters(): SimulatorCounters {
    const c = this.counterValues;
    let queued = 0;
    let inFlight = 0;
    let maxConcurrent = 0;
    for (const q of this.queues.values()) {
      queued += q.size;
      inFlight += q.inFlight;
      maxConcurrent = Math.max(maxConcurrent, q.maxInFlight);
    }
    return {
      ...c,
      requests: { ...c.requests },
      faultsInjected: { ...c.faultsInjected },
      locked: this.auth.isLocked(),
      queued,
      inFlightHistory: inFlight,
      maxConcurrentHistory: maxConcurrent,
    };
  }

  resetCounters(): void {
    this.counterValues = emptyCounters();
    for (const q of this.queues.values()) q.maxInFlight = q.inFlight;
  }

  /** Closes the server and destroys every socket, hung ones included. */
  stop(): Promise<void> {
    if (!this.stopping) {
      this.fleet.stop();
      this.pusher.stop();
      this.mt.stop();
      this.stopping = new Promise((resolve) => {
        this.server.close(() => resolve());
        for (const socket of this.sockets) socket.destroy();
        this.server.closeAllConnections();
      });
    }
    return this.stopping;
  }

  private queueFor(account: string): SmsQueue {
    let queue = this.queues.get(account);
    if (!queue) {
      if (!ACCOUNT_NAME_PATTERN.test(account)) throw new Error('account names are letters, digits and hyphens, 3-32 long');
      queue = new SmsQueue();
      this.queues.set(account, queue);
    }
    return queue;
  }

  private newToken(): string {
    return this.tokens.next(this.opts.tokenStyle);
  }

  private log(line: string): void {
    if (!this.opts.quiet) console.log(`[thingspace-sim] ${line}`);
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const route = matchRoute(req.method ?? 'GET', req.url ?? '');
    if (route.kind === 'control') {
      const body = await this.body(req, res, CONTROL_BODY_LIMIT);
      if (body !== undefined) send(res, handleControl(this, req.method ?? 'GET', route.path, route.query, body));
      return;
    }
    if (route.kind === 'none') {
      this.counterValues.rejectedPaths++;
      bump(this.counterValues.requests, 'rejected');
      req.resume();
      send(
        res,
        gatewayFault(404, 900906, 'No matching resource found in the API for the given request', `Access failure for API: ${req.method} ${describe(req.url)}`),
      );
      return;
    }
    await this.onApi(route, req, res);
  }

  private async onApi(route: ApiRoute, req: IncomingMessage, res: ServerResponse): Promise<void> {
    bump(this.counterValues.requests, route.endpoint);
    // An account segment that is not an account name (`..`, an encoded `/`) is an attack or a bug.
    if (route.account !== undefined && !route.accountValid) this.counterValues.rejectedPaths++;
    let logged: HistoryRecord | undefined;
    if (route.name === 'history' && route.accountValid) {
      this.trackInFlight(route.account as string, res);
      logged = this.historyLog.record(route.account as string, req.headers['vz-m2m-token'], route.query.has('next'), res);
    }

    const fault = this.faultSet.take(route.endpoint);
    if (fault) {
      bump(this.counterValues.faultsInjected, fault.kind);
      this.log(`fault ${fault.kind} on ${route.endpoint}`);
      if (fault.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      // A hung request is left unanswered; stop() destroys its socket.
      if (fault.kind === 'hang') return;
    }
    const body = await this.body(req, res, API_BODY_LIMIT);
    if (body === undefined) return;
    if (this.opts.latencyMs > 0) await delay(this.opts.latencyMs);
    if (res.destroyed) return;

    let reply: Reply;
    if (fault && !NON_REPLY_KINDS.includes(fault.kind)) {
      reply = faultReply(fault);
    } else {
      if (fault?.kind === 'expire-bearer') this.auth.expireBearer();
      if (fault?.kind === 'expire-session') this.auth.expireSessions();
      const origin = `${this.scheme}://${req.headers.host ?? `${this.opts.host}:${this.boundPort}`}`;
      reply = handleApi(this.api, { route, headers: req.headers, body, origin });
      if (logged) logged.messages = reply.messages;
    }
    if (fault?.kind === 'reset-after') {
      req.socket.destroy();
      return;
    }
    send(res, reply);
  }

  private trackInFlight(account: string, res: ServerResponse): void {
    const queue = this.queues.get(account);
    if (!queue) return;
    if (queue.inFlight > 0) this.counterValues.historyOverlaps++;
    queue.inFlight++;
    queue.maxInFlight = Math.max(queue.maxInFlight, queue.inFlight);
    res.once('close', () => queue.inFlight--);
  }

  private async body(req: IncomingMessage, res: ServerResponse, limit: number): Promise<string | undefined> {
    try {
      return await readBody(req, limit);
    } catch (err) {
      if (err instanceof BodyTooLarge) send(res, json(413, { errorCode: 'UnifiedWebService.INPUT_INVALID.RequestTooLarge', errorMessage: err.message }));
      return undefined;
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The path for an error description, cut short and without the query (which may carry a token). */
function describe(url: string | undefined): string {
  const path = (url ?? '').split('?')[0];
  return path.length > 200 ? `${path.slice(0, 200)}...` : path;
}

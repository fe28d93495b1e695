// The HTTP control interface under /_sim/ (JSON in, JSON out): the programmatic API made
// reachable with curl, for the CLI user and for tests in other processes.
import type { CallbackListener, SmsMessage } from '../nodes/lib/types';
import type { FaultRule, SentSms, SimulatorCounters, SimulatorOptions } from './options';
import type { PushRecord } from './callbacks';
import type { HistoryRecord } from './history-log';
import { json, type Reply } from './reply';
import { validateFaultRule } from './settings';

/** What the control interface needs from the simulator. */
export interface Controllable {
  counters(): SimulatorCounters;
  resetCounters(): void;
  enqueue(sms: SmsMessage | SmsMessage[], account?: string): void;
  generate(count: number, opts?: { account?: string; devices?: number }): void;
  queued(account?: string): number;
  peek(account: string | undefined, limit: number): SmsMessage[];
  defaultAccount(): string;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  faults(): FaultRule[];
  configure(partial: Partial<SimulatorOptions>): void;
  options(): Record<string, unknown>;
  expireBearer(): void;
  expireSession(): void;
  unlock(username?: string): void;
  callbacks(account?: string): CallbackListener[];
  recentPushes(): PushRecord[];
  sentSms(device?: string): SentSms[];
  history(account?: string): HistoryRecord[];
}

const MAX_PEEK = 1000;

export class BadControlRequest extends Error {}

/** Checks an SMS from outside; a missing timestamp becomes "now". */
export function toSms(value: unknown): SmsMessage {
  const v = value as Partial<SmsMessage> | null;
  if (v === null || typeof v !== 'object') throw new BadControlRequest('an SMS must be an object');
  if (!Array.isArray(v.deviceIds) || v.deviceIds.length === 0) throw new BadControlRequest('an SMS needs a non-empty deviceIds array');
  for (const d of v.deviceIds) {
    if (d === null || typeof d !== 'object' || typeof d.kind !== 'string' || typeof d.id !== 'string') {
      throw new BadControlRequest('each device id must be {kind, id} with string values');
    }
  }
  if (typeof v.message !== 'string') throw new BadControlRequest('an SMS needs a string "message"');
  if (v.timestamp !== undefined && typeof v.timestamp !== 'string') throw new BadControlRequest('"timestamp" must be a string');
  return {
    deviceIds: v.deviceIds.map((d) => ({ kind: d.kind, id: d.id })),
    message: v.message,
    timestamp: v.timestamp ?? new Date().toISOString(),
  };
}

function parse(body: string): unknown {
  if (body.trim() === '') return {};
  try {
    return JSON.parse(body);
  } catch {
    throw new BadControlRequest('the body is not valid JSON');
  }
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new BadControlRequest(`"${name}" must be a string`);
  return value;
}

export function handleControl(sim: Controllable, method: string, path: string, query: URLSearchParams, body: string): Reply {
  try {
    return route(sim, method, path, query, body);
  } catch (err) {
    // Validation messages name fields, never values: no secret can end up here.
    return json(400, { error: (err as Error).message });
  }
}

function route(sim: Controllable, method: string, path: string, query: URLSearchParams, body: string): Reply {
  const key = `${method} ${path.replace(/\/$/, '')}`;
  switch (key) {
    case 'GET /counters':
      return json(200, sim.counters());
    case 'GET /history-log':
      return json(200, { requests: sim.history(optionalString(query.get('account'), 'account')) });
    case 'POST /reset-counters':
      sim.resetCounters();
      return json(200, sim.counters());
    case 'POST /sms':
      return enqueue(sim, parse(body), optionalString(query.get('account'), 'account'));
    case 'GET /queue': {
      const account = optionalString(query.get('account'), 'account') ?? sim.defaultAccount();
      const limit = Math.min(MAX_PEEK, Math.max(0, Number(query.get('limit') ?? 10) || 0));
      return json(200, { accountName: account, queued: sim.queued(account), head: sim.peek(account, limit) });
    }
    case 'GET /faults':
      return json(200, { faults: sim.faults() });
    case 'POST /faults': {
      const input = parse(body);
      const rules = (Array.isArray(input) ? input : [input]) as FaultRule[];
      rules.forEach(validateFaultRule);
      rules.forEach((r) => sim.addFault(r));
      return json(200, { faults: sim.faults() });
    }
    case 'DELETE /faults':
      sim.clearFaults();
      return json(200, { faults: [] });
    case 'GET /options':
      return json(200, sim.options());
    case 'POST /options':
      sim.configure(parse(body) as Partial<SimulatorOptions>);
      return json(200, sim.options());
    case 'POST /expire': {
      const what = (parse(body) as { what?: unknown }).what;
      if (what === 'bearer') sim.expireBearer();
      else if (what === 'session') sim.expireSession();
      else throw new BadControlRequest('"what" must be "bearer" or "session"');
      return json(200, { expired: what });
    }
    case 'POST /unlock':
      sim.unlock(optionalString((parse(body) as { username?: unknown }).username, 'username'));
      return json(200, { unlocked: true });
    case 'GET /sent': {
      const limit = Math.min(MAX_PEEK, Math.max(0, Number(query.get('limit') ?? 100) || 0));
      const all = sim.sentSms(optionalString(query.get('device'), 'device'));
      return json(200, { accepted: all.length, recent: all.slice(-limit) });
    }
    case 'GET /callbacks':
      return json(200, { listeners: sim.callbacks(optionalString(query.get('account'), 'account')), recent: sim.recentPushes() });
    default:
      return json(404, { error: `no control endpoint ${key}` });
  }
}

function enqueue(sim: Controllable, input: unknown, queryAccount: string | undefined): Reply {
  const obj = input as { count?: unknown; account?: unknown; devices?: unknown } | null;
  let account = queryAccount;
  let added: number;
  if (obj !== null && typeof obj === 'object' && !Array.isArray(obj) && 'count' in obj) {
    if (typeof obj.count !== 'number' || !Number.isInteger(obj.count) || obj.count < 0) throw new BadControlRequest('"count" must be a whole number >= 0');
    if (obj.devices !== undefined && !(typeof obj.devices === 'number' && Number.isInteger(obj.devices) && obj.devices >= 1)) {
      throw new BadControlRequest('"devices" must be a whole number >= 1');
    }
    account = optionalString(obj.account, 'account') ?? account;
    sim.generate(obj.count, { account, devices: obj.devices as number | undefined });
    added = obj.count;
  } else {
    const list = (Array.isArray(input) ? input : [input]).map(toSms);
    sim.enqueue(list, account);
    added = list.length;
  }
  return json(200, { enqueued: added, accountName: account ?? sim.defaultAccount(), queued: sim.queued(account) });
}

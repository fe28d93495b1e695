// Sending SMS to devices (POST /sms, docs/thingspace-api.md, "Sending SMS"): ThingSpace's
// validation, a requestId per accepted SMS, and afterwards what the network would do: a
// delivery notice per device to the account's SMSDeliveryConfirmation listener (after a
// delay, failed at a rate, sometimes twice, retried three times when the listener fails) and,
// with deviceReplies, the device's answer as an MO SMS into the account's queue.
import { randomUUID } from 'node:crypto';
import { SMS_DELIVERY_SERVICE, type DeviceId, type SmsMessage } from '../nodes/lib/types';
import type { CallbackRegistry } from './callbacks';
import { deviceAnswer, replyingDevice } from './device-replies';
import { JsonPoster } from './http-post';
import type { SentSms, SimulatorCounters } from './options';
import { mulberry32 } from './random';
import { ERR, json, m2mError, type Reply } from './reply';
import type { ResolvedOptions } from './settings';
import { dataBytes, latin1Bytes, septets } from './sms-length';

export interface MtDeps {
  opts(): ResolvedOptions;
  counters(): SimulatorCounters;
  knownAccount(accountName: string): boolean;
  registry: CallbackRegistry;
  /** A device's answer, into the account's queue (and pushed, if callbacks run). */
  enqueue(sms: SmsMessage, accountName: string): void;
  log(line: string): void;
}

const ENCODINGS = ['7-bit', '8-bit-ASCII', '8-bit-UTF-8', '8-bit-DATA'];
const KINDS = ['esn', 'eid', 'iccid', 'imei', 'mdn', 'meid', 'msisdn'];
const MAX_SENT_KEPT = 200_000;
const NOTICE_TRIES = 3;

type Refusal = Reply;

function invalid(code: string, message: string): Refusal {
  return m2mError(code, message);
}

/** The length check of docs/thingspace-api.md, "Sending SMS": 160 septets or 140 bytes. */
function lengthProblem(text: string, encoding: string): Refusal | undefined {
  let used: number | undefined;
  let limit = 140;
  if (encoding === '7-bit') {
    used = septets(text);
    limit = 160;
  } else if (encoding === '8-bit-ASCII') used = latin1Bytes(text);
  else if (encoding === '8-bit-UTF-8') used = Buffer.byteLength(text, 'utf8');
  else used = dataBytes(text);
  if (used === undefined) return invalid(ERR.smsInvalid, `smsMessage cannot be sent as ${encoding}.`);
  if (used > limit) return invalid(ERR.smsTooLong, `smsMessage is limited to ${limit} ${encoding === '7-bit' ? 'characters' : 'bytes'} in ${encoding}.`);
  return undefined;
}

function targetProblem(b: Record<string, unknown>): Refusal | undefined {
  const filters = ['groupName', 'servicePlan', 'customFields'].filter((f) => b[f] !== undefined);
  if (b.deviceIds !== undefined) {
    if (filters.length > 0) return invalid(ERR.targetInvalid, 'Do not use groupName, servicePlan or customFields with deviceIds.');
    const ids = b.deviceIds;
    if (!Array.isArray(ids) || ids.length === 0) return invalid(ERR.targetInvalid, 'deviceIds must be a non-empty array.');
    for (const d of ids as Array<Record<string, unknown> | null>) {
      if (
        d === null ||
        typeof d !== 'object' ||
        typeof d.id !== 'string' ||
        d.id === '' ||
        typeof d.kind !== 'string' ||
        !KINDS.includes(d.kind.toLowerCase())
      ) {
        return invalid(ERR.targetInvalid, 'Each device id needs a kind (esn, eid, iccid, imei, mdn, meid, msisdn) and an id.');
      }
    }
    return undefined;
  }
  if (filters.length === 0) return invalid(ERR.targetInvalid, 'Name the devices (deviceIds), or a groupName, servicePlan or customFields.');
  for (const f of ['groupName', 'servicePlan'] as const) {
    if (b[f] !== undefined && (typeof b[f] !== 'string' || b[f] === '')) return invalid(ERR.targetInvalid, `${f} must be a non-empty string.`);
  }
  if (b.customFields !== undefined && !Array.isArray(b.customFields)) return invalid(ERR.targetInvalid, 'customFields must be an array of {key, value}.');
  return undefined;
}

export class MtService {
  private readonly sent: SentSms[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly poster = new JsonPoster();
  private random: () => number;
  private seed: number | undefined;
  private replies = 0;

  constructor(private readonly deps: MtDeps) {
    this.seed = deps.opts().seed;
    this.random = randomFor(this.seed);
  }

  /** POST /sms with a valid session. */
  send(body: string): Reply {
    const c = this.deps.counters();
    const refused = (r: Reply): Reply => {
      c.smsRefused++;
      return r;
    };
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return refused(invalid(ERR.requestUndefined, 'The request body is not valid JSON.'));
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return refused(invalid(ERR.requestUndefined, 'The request body is empty.'));
    const b = parsed as Record<string, unknown>;
    if (typeof b.accountName !== 'string' || !this.deps.knownAccount(b.accountName)) return refused(m2mError(ERR.accountNotFound, 'Account not found.'));
    if (typeof b.smsMessage !== 'string' || b.smsMessage === '') return refused(invalid(ERR.smsInvalid, 'smsMessage is required.'));
    const encoding = b.dataEncoding ?? '7-bit';
    if (typeof encoding !== 'string' || !ENCODINGS.includes(encoding))
      return refused(invalid(ERR.encodingInvalid, `dataEncoding must be one of ${ENCODINGS.join(', ')}.`));
    if (b.timeToLive !== undefined && (typeof b.timeToLive !== 'string' || b.timeToLive.length > 32))
      return refused(invalid(ERR.smsInvalid, 'timeToLive must be a short string.'));
    const problem = lengthProblem(b.smsMessage, encoding) ?? targetProblem(b);
    if (problem) return refused(problem);

    const requestId = randomUUID();
    const record: SentSms = { requestId, accountName: b.accountName, smsMessage: b.smsMessage, dataEncoding: encoding, at: new Date().toISOString() };
    if (Array.isArray(b.deviceIds)) record.deviceIds = (b.deviceIds as DeviceId[]).map((d) => ({ kind: d.kind, id: d.id }));
    if (typeof b.groupName === 'string') record.groupName = b.groupName;
    if (typeof b.servicePlan === 'string') record.servicePlan = b.servicePlan;
    this.sent.push(record);
    if (this.sent.length > MAX_SENT_KEPT) this.sent.shift();
    c.smsAccepted++;
    for (const device of record.deviceIds ?? []) this.deliverLater(record, device);
    return json(200, { requestId });
  }

  /** Every SMS accepted (the latest 200,000), oldest first; with `device` (`kind:id`), those
   *  that went to that device: its MT queue. */
  sentSms(device?: string): SentSms[] {
    if (device === undefined) return [...this.sent];
    const [kind, ...rest] = device.split(':');
    const id = rest.join(':');
    return this.sent.filter((s) => s.deviceIds?.some((d) => d.kind.toLowerCase() === kind.toLowerCase() && d.id === id));
  }

  /** A changed seed starts the random choices over. */
  configure(): void {
    const seed = this.deps.opts().seed;
    if (seed !== this.seed) {
      this.seed = seed;
      this.random = randomFor(seed);
    }
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.poster.stop();
  }

  private later(ms: number, work: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      work();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private deliverLater(sms: SentSms, device: DeviceId): void {
    const o = this.deps.opts();
    const failed = this.random() < o.noticeFailureRate;
    const twice = this.random() < o.noticeDuplicateRate;
    const delay = o.noticeDelayMs + this.random() * o.noticeJitterMs;
    this.later(delay, () => {
      const body = this.noticeBody(sms, device, failed);
      void this.post(sms.accountName, body, NOTICE_TRIES);
      if (twice) this.later(this.random() * o.noticeJitterMs, () => void this.post(sms.accountName, body, NOTICE_TRIES));
      if (!failed) this.reply(sms, device);
    });
  }

  private noticeBody(sms: SentSms, device: DeviceId, failed: boolean): Record<string, unknown> {
    const listener = this.deps.registry.get(sms.accountName, SMS_DELIVERY_SERVICE);
    const creds: Record<string, string> = {};
    if (listener?.username !== undefined) creds.username = listener.username;
    if (listener?.password !== undefined) creds.password = listener.password;
    const status = failed ? 'Failed' : 'Delivered';
    const timestamp = new Date().toISOString();
    const detail = failed ? { status, timestamp, reason: 'Device not reachable' } : { status, timestamp };
    if (this.deps.opts().noticeShape === 'flat') return { ...creds, requestId: sms.requestId, deviceIds: [device], ...detail };
    return { ...creds, requestId: sms.requestId, deviceIds: [device], deliveryConfirmationResponse: detail, callbackCount: 1, maxCallbackThreshold: 4 };
  }

  /** To the listener registered now; tried again after noticeDelayMs when it fails. */
  private async post(accountName: string, body: Record<string, unknown>, tries: number): Promise<void> {
    const listener = this.deps.registry.get(accountName, SMS_DELIVERY_SERVICE);
    if (!listener) return;
    const status = await this.poster.post(listener.url, body);
    const c = this.deps.counters();
    if (typeof status === 'number' && status >= 200 && status < 300) {
      c.noticesPosted++;
      return;
    }
    c.noticeFailures++;
    if (tries > 1 && !this.poster.aborted) this.later(this.deps.opts().noticeDelayMs, () => void this.post(accountName, body, tries - 1));
    else this.deps.log(`delivery notice to ${listener.url} failed (${status}); given up`);
  }

  private reply(sms: SentSms, device: DeviceId): void {
    const { ids, index } = replyingDevice(device);
    const text = deviceAnswer(this.deps.opts().deviceReplies, sms.smsMessage, sms.dataEncoding, index, ++this.replies);
    if (text === undefined) return;
    this.deps.counters().deviceReplies++;
    this.deps.enqueue({ deviceIds: ids, message: text, timestamp: new Date().toISOString() }, sms.accountName);
  }
}

/** The simulator's seed (undefined: unseeded) as a source of numbers in [0, 1). */
function randomFor(seed: number | undefined): () => number {
  return seed === undefined ? Math.random : mulberry32(seed);
}

// Callback listener registrations (docs/thingspace-api.md, "Callback listeners") and the push of queued SMS to the
// EnhancedConnectivityService URL after startCallbacks (docs/thingspace-api.md, "startCallbacks").
import { randomUUID } from 'node:crypto';
import type { CallbackActionResult, CallbackListener, CallbackRegistration, SmsMessage } from '../nodes/lib/types';
import { SMS_CALLBACK_SERVICE } from '../nodes/lib/types';
import type { CallbackShape } from './options';
import { JsonPoster } from './http-post';
import type { SmsQueue } from './queue';

export class CallbackRegistry {
  private readonly byAccount = new Map<string, Map<string, CallbackListener>>();

  /** One registration per service name per account; registering again replaces it (docs/thingspace-api.md, "Callback listeners"). */
  register(accountName: string, reg: CallbackRegistration): CallbackActionResult {
    let services = this.byAccount.get(accountName);
    if (!services) this.byAccount.set(accountName, (services = new Map()));
    const listener: CallbackListener = { accountName, serviceName: reg.name, url: reg.url };
    if (reg.username !== undefined) listener.username = reg.username;
    if (reg.password !== undefined) listener.password = reg.password;
    services.set(reg.name, listener);
    return { accountName, serviceName: reg.name };
  }

  get(accountName: string, serviceName = SMS_CALLBACK_SERVICE): CallbackListener | undefined {
    return this.byAccount.get(accountName)?.get(serviceName);
  }

  list(accountName?: string): CallbackListener[] {
    const accounts = accountName === undefined ? [...this.byAccount.keys()] : [accountName];
    return accounts.flatMap((a) => [...(this.byAccount.get(a)?.values() ?? [])].map((l) => ({ ...l })));
  }

  remove(accountName: string, serviceName: string): boolean {
    return this.byAccount.get(accountName)?.delete(serviceName) ?? false;
  }
}

/** The pushed body. docs/thingspace-api.md, "Pushed SMS bodies": the REST JSON shape is unknown, so each guess is selectable. */
export function callbackBody(sms: SmsMessage, listener: CallbackListener, shape: CallbackShape): Record<string, unknown> {
  switch (shape) {
    case 'soap-like':
      return {
        ...(listener.username !== undefined ? { Username: listener.username } : {}),
        ...(listener.password !== undefined ? { Password: listener.password } : {}),
        Device: sms.deviceIds.map((d) => ({ Kind: d.kind, Identifier: d.id })),
        SmsMessage: sms.message,
      };
    case 'flat':
      return {
        ...credentials(listener),
        requestId: randomUUID(),
        deviceIds: sms.deviceIds,
        message: sms.message,
        timestamp: sms.timestamp,
      };
    case 'nested':
    default:
      return {
        ...credentials(listener),
        requestId: randomUUID(),
        deviceIds: sms.deviceIds,
        smsResponse: { message: sms.message, timestamp: sms.timestamp },
        callbackCount: 1,
        maxCallbackThreshold: 4,
      };
  }
}

function credentials(listener: CallbackListener): Record<string, string> {
  const out: Record<string, string> = {};
  if (listener.username !== undefined) out.username = listener.username;
  if (listener.password !== undefined) out.password = listener.password;
  return out;
}

export interface PushRecord {
  accountName: string;
  url: string;
  status: number | 'error';
  at: string;
}

export interface PusherDeps {
  queue(accountName: string): SmsQueue;
  registry: CallbackRegistry;
  shape(): CallbackShape;
  onPushed(): void;
  onFailure(): void;
  log(line: string): void;
}

const RECENT_MAX = 50;

/**
 * After startCallbacks, pushes an account's queued SMS one by one, oldest first; an SMS leaves
 * the queue only on a 2xx (docs/thingspace-api.md, "Callback listeners"). The first failure stops the push and deactivates the
 * account until the next startCallbacks: queued SMS are not replayed on their own (docs/thingspace-api.md, "How SMS reach the application").
 * While active, SMS arriving later are pushed at once, as ThingSpace does for a working listener.
 */
export class CallbackPusher {
  private readonly active = new Set<string>();
  private readonly running = new Set<string>();
  private readonly poster = new JsonPoster();
  readonly recent: PushRecord[] = [];

  constructor(private readonly deps: PusherDeps) {}

  start(accountName: string): void {
    this.active.add(accountName);
    void this.run(accountName);
  }

  /** New SMS for this account. */
  notify(accountName: string): void {
    if (this.active.has(accountName)) void this.run(accountName);
  }

  deactivate(accountName: string): void {
    this.active.delete(accountName);
  }

  isActive(accountName: string): boolean {
    return this.active.has(accountName);
  }

  stop(): void {
    this.active.clear();
    this.poster.stop();
  }

  private async run(accountName: string): Promise<void> {
    if (this.running.has(accountName)) return;
    this.running.add(accountName);
    try {
      while (this.active.has(accountName) && !this.poster.aborted) {
        const listener = this.deps.registry.get(accountName);
        const queue = this.deps.queue(accountName);
        if (!listener) {
          this.active.delete(accountName);
          break;
        }
        if (queue.size === 0) break;
        const pos = queue.head;
        const [sms] = queue.peek(1);
        const status = await this.poster.post(listener.url, callbackBody(sms, listener, this.deps.shape()));
        this.remember({ accountName, url: listener.url, status, at: new Date().toISOString() });
        if (typeof status === 'number' && status >= 200 && status < 300) {
          queue.ackRange({ start: pos, end: pos + 1 });
          this.deps.onPushed();
        } else {
          this.deps.onFailure();
          this.active.delete(accountName);
          this.deps.log(`callback push to ${listener.url} failed (${status}); ${queue.size} SMS stay queued`);
        }
      }
    } finally {
      this.running.delete(accountName);
    }
  }

  private remember(record: PushRecord): void {
    this.recent.push(record);
    if (this.recent.length > RECENT_MAX) this.recent.shift();
  }
}

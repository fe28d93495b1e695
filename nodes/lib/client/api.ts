// What the consumer and the nodes may use of the ThingSpace client.
import type { CallbackActionResult, CallbackListener, SmsMessage, SmsSendRequest, SmsSendResponse } from '../types';
import type { ErrorKind, ThingSpaceError } from './errors';
import type { LoginRefusal } from './login-refusals';

export interface HistoryBlock {
  /** 200 (last block) or 202 (more waiting). */
  status: number;
  /** True exactly for a 202, whatever the body says (docs/thingspace-api.md, "SMS history"). */
  hasMoreData: boolean;
  messages: SmsMessage[];
  /** From `Location`, byte for byte (docs/thingspace-api.md, "Open questions" 3); a 200 may carry one too. */
  next?: string;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** `kind` lets the editor tell rejected credentials from a network or server failure. */
type StepResult = { ok: boolean; kind?: ErrorKind; code?: string; message?: string };

export interface ConnectionCheck {
  token: StepResult;
  /** `remembered`: not tried, this password was refused before. */
  login: StepResult & { skipped?: boolean; remembered?: LoginRefusal; recorded?: LoginRefusal };
}

export interface ThingSpaceApi {
  readonly accountName: string;
  /** `GET /sms/{accountName}/history[?next=]`. Passing `next` acknowledges the block it came with. */
  history(next?: string, opts?: CallOptions): Promise<HistoryBlock>;
  startCallbacks(opts?: CallOptions): Promise<{ success: boolean }>;
  registerCallback(url: string, creds?: { username?: string; password?: string }, opts?: CallOptions): Promise<CallbackActionResult>;
  listCallbacks(opts?: CallOptions): Promise<CallbackListener[]>;
  deleteCallback(serviceName: string, opts?: CallOptions): Promise<CallbackActionResult>;
  /** Token then login, once each, never retried; says which failed. A password refused
   *  before is answered from memory unless `force`. */
  testConnection(opts?: CallOptions & { force?: boolean }): Promise<ConnectionCheck>;
  /** Set once the server rejected the credentials; every call then fails at once without a request. */
  readonly credentialsRejected: ThingSpaceError | undefined;
}

/** Its own interface: only sms-out sends. */
export interface SmsSendApi {
  readonly accountName: string;
  /** Not idempotent: a failure's `requestSent` says whether ThingSpace may have queued it. */
  sendSms(request: Omit<SmsSendRequest, 'accountName'>, opts?: CallOptions): Promise<SmsSendResponse>;
}

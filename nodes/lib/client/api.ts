// The contract between the ThingSpace client and its users (the queue consumer, the
// nodes). The consumer is written against this interface only.
import type { CallbackActionResult, CallbackListener, SmsMessage, SmsSendRequest, SmsSendResponse } from '../types';

export interface HistoryBlock {
  /** 200 (last block) or 202 (more waiting). */
  status: number;
  /** True exactly for a 202: the status decides, whatever the body's own hasMoreData says. */
  hasMoreData: boolean;
  messages: SmsMessage[];
  /** The `next` token parsed from `Location`, copied byte for byte (docs/thingspace-api.md, "Open questions" 3).
   *  Present on 202; also kept if a 200 ever carries a Location. */
  next?: string;
}

export interface CallOptions {
  /** Aborts the request in flight (and any token/login it waits for on its own behalf). */
  signal?: AbortSignal;
}

export interface ConnectionCheck {
  /** `kind` lets the editor tell rejected credentials from a network or server failure. */
  token: { ok: boolean; kind?: import('./errors').ErrorKind; code?: string; message?: string };
  login: {
    ok: boolean;
    skipped?: boolean;
    kind?: import('./errors').ErrorKind;
    code?: string;
    message?: string;
    /** Not tried: this password was refused before (when, failed logins recorded). */
    remembered?: import('./login-refusals').LoginRefusal;
    /** Tried and refused: the refusal as now recorded. */
    recorded?: import('./login-refusals').LoginRefusal;
  };
}

export interface ThingSpaceApi {
  readonly accountName: string;
  /** `GET /sms/{accountName}/history[?next=]`. Passing `next` acknowledges the block it came with. */
  history(next?: string, opts?: CallOptions): Promise<HistoryBlock>;
  /** `PUT /sms/{accountName}/startCallbacks` -> `{success: true}`. */
  startCallbacks(opts?: CallOptions): Promise<{ success: boolean }>;
  registerCallback(url: string, creds?: { username?: string; password?: string }, opts?: CallOptions): Promise<CallbackActionResult>;
  listCallbacks(opts?: CallOptions): Promise<CallbackListener[]>;
  deleteCallback(serviceName: string, opts?: CallOptions): Promise<CallbackActionResult>;
  /** Token then login, once each, never retried; says which failed. A password refused
   *  before is answered from memory unless `force`. */
  testConnection(opts?: CallOptions & { force?: boolean }): Promise<ConnectionCheck>;
  /** Set once the server rejected the credentials; every call then fails at once without a request. */
  readonly credentialsRejected: import('./errors').ThingSpaceError | undefined;
}

/** Sending SMS: its own interface, since only sms-out needs it (the consumer never sends). */
export interface SmsSendApi {
  readonly accountName: string;
  /** `POST /sms` with this account's name. Never repeated after the request may have reached
   *  ThingSpace: a failure's `requestSent` says whether it did. */
  sendSms(request: Omit<SmsSendRequest, 'accountName'>, opts?: CallOptions): Promise<SmsSendResponse>;
}

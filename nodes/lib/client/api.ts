// What the consumer and the nodes may use of the ThingSpace client.
import type { SmsMessage } from '../types';
import type { ErrorKind } from './errors';
import type { LoginRefusal } from './login-refusals';
import type { ThingSpaceClient } from './thingspace-client';

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

/** What the consumer and the nodes may use of the client. */
export type ThingSpaceApi = Pick<
  ThingSpaceClient,
  'accountName' | 'history' | 'startCallbacks' | 'registerCallback' | 'listCallbacks' | 'deleteCallback' | 'testConnection' | 'credentialsRejected'
>;

/** Its own type: only sms-out sends. */
export type SmsSendApi = Pick<ThingSpaceClient, 'accountName' | 'sendSms'>;

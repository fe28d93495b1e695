// Options and control types of the ThingSpace simulator. Tests and the CLI use these;
// the HTTP control interface (/_sim/...) accepts the same shapes as JSON.
import type { SmsMessage } from '../nodes/lib/types';

/** Open question 1 (docs/thingspace-api.md, "Open questions"): what a history call without `next` does. */
export type WithoutNextMode = 'redeliver' | 'consume';
/** docs/thingspace-api.md, "Open questions" 2: how the final `200` block is acknowledged. */
export type FinalBlockMode = 'redeliver' | 'ack-on-delivery';
/** What a `next` token whose block was acknowledged already (by another reader) gets: taken
 *  as a harmless repeat, or refused as `REQUEST_FAILED.UnexpectedError` (seen with two readers). */
export type StaleNextMode = 'ignore' | 'refuse';
/** docs/thingspace-api.md, "Open questions" 4: the form of the `Location` header. */
export type LocationForm = 'relative' | 'prefixed' | 'absolute';
/** docs/thingspace-api.md, "Open questions" 3: the form of the `next` token. `numeric` is zero-padded (`0042`),
 *  `integer` unpadded and small (`42`), `int64` unpadded above 2^53 where a JavaScript
 *  number rounds it (every Verizon SDK types `next` as a 64-bit integer), `alnum` letters
 *  and digits. */
export type TokenStyle = 'numeric' | 'integer' | 'int64' | 'alnum';
/** Whether a history body carries `hasMoreData` (optional in Verizon's SDK models), and
 *  whether it agrees with the status. */
export type HasMoreDataMode = 'present' | 'absent' | 'contradicts';
/** docs/thingspace-api.md, "Open questions" 5: the shape of pushed callback bodies (docs/thingspace-api.md, "Pushed SMS bodies"). */
export type CallbackShape = 'nested' | 'flat' | 'soap-like';
/** The body of a delivery notice of a sent SMS (docs/thingspace-api.md, "Delivery notices": undocumented). */
export type NoticeShape = 'nested' | 'flat';
/** What a simulated device does with an SMS delivered to it: nothing, send it back, or answer a command. */
export type DeviceReplies = 'off' | 'echo' | 'commands';

export interface SimulatorOptions {
  host?: string; // default 127.0.0.1
  port?: number; // default 0 (any free port)
  clientId?: string; // default 'sim-client-id'
  clientSecret?: string; // default 'sim-client-secret'
  username?: string; // default 'sim-user'
  password?: string; // default 'sim-password'
  /** Known billing accounts; default ['0000123456-00001']. Others get REQUEST_FAILED.AccountNotFound. */
  accounts?: string[];
  blockSize?: number; // default 100
  tokenTtlSec?: number; // default 3600
  sessionIdleSec?: number; // default 1200
  latencyMs?: number; // added to every API response, default 0
  withoutNext?: WithoutNextMode; // default 'redeliver'
  finalBlock?: FinalBlockMode; // default 'redeliver'
  staleNext?: StaleNextMode; // default 'ignore'
  locationForm?: LocationForm; // default 'relative'
  tokenStyle?: TokenStyle; // default 'int64'
  hasMoreData?: HasMoreDataMode; // default 'present'
  callbackShape?: CallbackShape; // default 'nested'
  /** Simulated devices sending SMS on their own: count and seconds between SMS per device. */
  devices?: number; // default 0
  deviceEverySec?: number; // default 5
  /** Failed logins before the user is locked (docs/thingspace-api.md, "Session"). */
  lockoutAfter?: number; // default 5
  /** Sent SMS (POST /sms): the delivery notice to the SMSDeliveryConfirmation listener comes
   *  this long after the send, plus up to noticeJitterMs (so notices overtake each other). */
  noticeDelayMs?: number; // default 1000
  noticeJitterMs?: number; // default 0
  /** Share of sends whose notice says Failed instead of Delivered (0..1). */
  noticeFailureRate?: number; // default 0
  /** Share of notices posted twice (0..1), as a listener that answered late would see. */
  noticeDuplicateRate?: number; // default 0
  noticeShape?: NoticeShape; // default 'nested'
  /** A device that got an SMS answers it, as an MO SMS, after noticeDelayMs. */
  deviceReplies?: DeviceReplies; // default 'off'
  quiet?: boolean;
  /** Seed of the random choices (faults with `probability`; delivery notices' delay jitter,
   *  failures and duplicates): the same seed and the same requests give the same choices. Default: unseeded. A whole number 0..2^32-1. */
  seed?: number;
  /** Serve HTTPS instead of HTTP with this PEM key and certificate. Taken at start only. */
  tls?: SimulatorTls;
}

export interface SimulatorTls {
  key: string | Buffer;
  cert: string | Buffer;
}

export type FaultKind =
  | 'server-error' // 500/502/503 with an error body
  | 'rate-limit' // 429 with Retry-After
  | 'hang' // accept, never answer (until the client gives up)
  | 'reset' // destroy the socket before answering
  | 'reset-after' // process the request (ack included), then destroy the socket
  | 'malformed' // 200 with a body that is not JSON
  | 'html' // 502 with an HTML error page
  | 'empty' // 200 with an empty body
  | 'oversize' // 200 with a ~10 MB body
  | 'wrong-shape' // 200 JSON that is not a history body
  | 'expire-bearer' // invalidate the current bearer token before handling
  | 'expire-session'; // invalidate the current session before handling

/** 'token' covers the OAuth token and revoke calls; 'logout' was added after the first draft. */
export type Endpoint = 'token' | 'login' | 'logout' | 'history' | 'startCallbacks' | 'callbacks' | 'sms' | 'any';

export interface FaultRule {
  kind: FaultKind;
  endpoint?: Endpoint; // default 'history'
  /** Apply to the next `count` matching requests (default 1)... */
  count?: number;
  /** ...after letting this many matching requests through first (default 0), e.g. skip 1:
   *  the second history request fails, whatever the timing of the test. */
  skip?: number;
  /** ...or to each matching request with this probability (0..1), until cleared. */
  probability?: number;
  status?: number; // for server-error, default 503
  retryAfterSec?: number; // for rate-limit, default 1
}

export interface SimulatorCounters {
  connections: number; // TCP connections accepted (a client's keep-alive shows here)
  requests: Record<string, number>; // per endpoint
  tokensIssued: number;
  loginsOk: number;
  loginsFailed: number;
  locked: boolean;
  historyBlocksServed: number;
  messagesServed: number; // counting re-deliveries
  messagesAcked: number;
  redeliveries: number; // blocks served again
  tokensRefused: number; // history calls whose `next` was never issued (400 UnexpectedError)
  tokensStale: number; // history calls whose `next` acknowledged nothing: its block was acknowledged already
  historyOverlaps: number; // history requests that began while another for the same account was in flight
  maxConcurrentHistory: number; // per account, the max seen
  inFlightHistory: number;
  faultsInjected: Record<string, number>;
  callbacksPushed: number;
  callbackFailures: number;
  rejectedPaths: number; // requests that matched no documented path
  enqueued: number;
  queued: number; // still in the queue (unacknowledged)
  smsAccepted: number; // POST /sms answered with a requestId
  smsRefused: number; // POST /sms refused by validation
  noticesPosted: number; // delivery notices answered 2xx by the listener (duplicates included)
  noticeFailures: number; // delivery notice posts that failed (each try)
  deviceReplies: number; // MO SMS that devices sent in answer
}

/** One SMS the simulator accepted (POST /sms), for tests to compare with what was sent. */
export interface SentSms {
  requestId: string;
  accountName: string;
  smsMessage: string;
  dataEncoding: string;
  deviceIds?: Array<{ kind: string; id: string }>;
  groupName?: string;
  servicePlan?: string;
  at: string;
}

export type { SmsMessage };

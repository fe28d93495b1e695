// The ThingSpace M2M client: SMS history, startCallbacks and callback registration, over one
// shared bearer token and session (see auth.ts). Knows nothing about Node-RED.
//
// A bad configuration throws ThingSpaceError 'bad_config' from the constructor, before any
// request exists. Every failure of a call is a ThingSpaceError (classify.ts); nothing else
// escapes, and no error or log line carries a secret (redact.ts).
import { EventEmitter } from 'node:events';
import { M2M_ROOT, SMS_CALLBACK_SERVICE, type CallbackActionResult, type CallbackListener, type SmsSendRequest, type SmsSendResponse } from '../types';
import type { CallOptions, ConnectionCheck, HistoryBlock, SmsSendApi, ThingSpaceApi } from './api';
import { AuthSession } from './auth';
import { basicCredentials, fetchToken, loginOnce, type AuthContext } from './auth-requests';
import { checkCallbackUrl } from './callback-url';
import { errorFromResponse, parseJson, badResponse, type Operation, type RawResponse } from './classify';
import { validateOptions, type ClientConfig, type ThingSpaceClientOptions } from './config';
import { ThingSpaceError, type ErrorKind } from './errors';
import { refusalText } from './login-refusals';
import { HttpTransport } from './http';
import type { Method } from './transport';
import { nextFromLocation } from './location';
import { clientLog, type ClientLog } from './log';
import type { RefusalMemory } from './login-refusals';
import { Secrets } from './secrets';
import { actionResult, historyBody, listenerList, successBody } from './shapes';
import { sendAnswer } from './sms-send';

export type { ThingSpaceClientOptions } from './config';

const MAX_NEXT_LENGTH = 1024;

function badArgument(operation: Operation, message: string): ThingSpaceError {
  return new ThingSpaceError({ kind: 'bad_config', message, operation });
}

export interface ThingSpaceClientEvents {
  /** Once, when ThingSpace first rejected the credentials (on a call of any client sharing
   *  them, or a refusal on record): every later call fails at once without a request, until
   *  a redeploy. Users of a shared client listen to it to show why they stopped. */
  rejected: [error: ThingSpaceError];
}

export class ThingSpaceClient extends EventEmitter<ThingSpaceClientEvents> implements ThingSpaceApi, SmsSendApi {
  readonly accountName: string;
  private readonly cfg: ClientConfig;
  private readonly http: HttpTransport;
  private readonly secrets: Secrets;
  private readonly log: ClientLog;
  private readonly auth: AuthSession;
  private readonly refusals?: RefusalMemory;
  /** The account as a path segment; the name pattern already excludes anything to escape. */
  private readonly account: string;
  private announced = false;
  /** A body whose hasMoreData contradicted its status was logged once already. */
  private hasMoreDataWarned = false;

  constructor(options: ThingSpaceClientOptions) {
    super();
    // Every node using the config listens; no listener limit applies to them.
    this.setMaxListeners(0);
    this.cfg = validateOptions(options);
    this.accountName = this.cfg.accountName;
    this.account = encodeURIComponent(this.cfg.accountName);
    this.http = new HttpTransport(this.cfg);
    this.secrets = this.newSecrets();
    this.log = clientLog(this.cfg.log, this.cfg.logDebug, this.secrets);
    this.refusals = options.refusals;
    this.auth = new AuthSession(this.cfg, this.http, this.secrets, this.log, options.auth, options.refusals, (err) => this.announce(err));
  }

  get credentialsRejected(): ThingSpaceError | undefined {
    return this.auth.rejected;
  }

  async history(next?: string, opts: CallOptions = {}): Promise<HistoryBlock> {
    return this.guard(async () => {
      if (next !== undefined && (typeof next !== 'string' || next === '' || next.length > MAX_NEXT_LENGTH)) {
        throw badArgument('history', 'next must be the non-empty token taken from a Location header');
      }
      // The token travels exactly as received (docs/thingspace-api.md, "Open questions" 3): encoded, never parsed.
      const query = next === undefined ? '' : `?next=${encodeURIComponent(next)}`;
      const res = await this.call('history', 'GET', `${M2M_ROOT}/sms/${this.account}/history${query}`, undefined, opts.signal);
      if (res.status !== 200 && res.status !== 202) throw badResponse('history', res.status, `HTTP ${res.status} is not a history answer`);
      const body = historyBody(parseJson('history', res), res.status);
      // The status is the protocol's signal (docs/thingspace-api.md, "SMS history"). hasMoreData is optional in Verizon's
      // SDK models: where present it is a second opinion, and the status wins a disagreement.
      const more = res.status === 202;
      if (body.hasMoreData !== undefined && body.hasMoreData !== more && !this.hasMoreDataWarned) {
        this.hasMoreDataWarned = true;
        this.log.warn(`ThingSpace answered the SMS history with HTTP ${res.status} but hasMoreData ${body.hasMoreData}; following the status (said once)`);
      }
      const block: HistoryBlock = { status: res.status, hasMoreData: more, messages: body.messages };
      // 202 must say where to continue; a 200 normally has no Location, but if it has one
      // its `next` is kept (it may be the only way to acknowledge the final block).
      const location = res.headers['location'];
      if (res.status === 202 || location !== undefined) {
        const parsed = nextFromLocation(location, this.cfg.server, this.cfg.accountName);
        if (!parsed.ok) throw badResponse('history', res.status, parsed.reason);
        block.next = parsed.next;
      }
      if (this.log.debugOn) {
        const sent = next === undefined ? '' : ` next=${next}`;
        const got = block.next === undefined ? '' : `, next=${block.next}`;
        this.log.debug(`GET history${sent} -> ${res.status} (${block.messages.length} messages${got})`);
      }
      return block;
    });
  }

  async startCallbacks(opts: CallOptions = {}): Promise<{ success: boolean }> {
    return this.guard(async () => {
      const res = await this.call('startCallbacks', 'PUT', `${M2M_ROOT}/sms/${this.account}/startCallbacks`, undefined, opts.signal);
      const result = successBody(parseJson('startCallbacks', res), res.status);
      this.log.debug(`PUT startCallbacks -> ${res.status} (success ${result.success})`);
      return result;
    });
  }

  /** Registers `url` for `opts.serviceName`: MO SMS (`EnhancedConnectivityService`, the
   *  default) or delivery confirmations of sent SMS (`SMSDeliveryConfirmation`). */
  async registerCallback(
    url: string,
    creds: { username?: string; password?: string } = {},
    opts: CallOptions & { serviceName?: string } = {},
  ): Promise<CallbackActionResult> {
    return this.guard(async () => {
      const checked = checkCallbackUrl(typeof url === 'string' ? url : '');
      if (!checked.ok) throw badArgument('registerCallback', checked.reason);
      const body: Record<string, string> = { name: opts.serviceName ?? SMS_CALLBACK_SERVICE, url: checked.url };
      if (creds.username) body.username = creds.username;
      if (creds.password) body.password = creds.password;
      const res = await this.call('registerCallback', 'POST', `${M2M_ROOT}/callbacks/${this.account}`, JSON.stringify(body), opts.signal);
      const result = actionResult('registerCallback', parseJson('registerCallback', res), res.status);
      this.log.debug(`POST callbacks -> ${res.status} (${result.serviceName})`);
      return result;
    });
  }

  async listCallbacks(opts: CallOptions = {}): Promise<CallbackListener[]> {
    return this.guard(async () => {
      const res = await this.call('listCallbacks', 'GET', `${M2M_ROOT}/callbacks/${this.account}`, undefined, opts.signal);
      const list = listenerList(parseJson('listCallbacks', res), res.status);
      this.log.debug(`GET callbacks -> ${res.status} (${list.length} listeners)`);
      return list;
    });
  }

  async deleteCallback(serviceName: string, opts: CallOptions = {}): Promise<CallbackActionResult> {
    return this.guard(async () => {
      // '.' and '..' survive encodeURIComponent and URL resolution would climb out of the path.
      if (typeof serviceName !== 'string' || serviceName === '' || serviceName === '.' || serviceName === '..') {
        throw badArgument('deleteCallback', 'The callback service name is missing or invalid');
      }
      const path = `${M2M_ROOT}/callbacks/${this.account}/name/${encodeURIComponent(serviceName)}`;
      const res = await this.call('deleteCallback', 'DELETE', path, undefined, opts.signal);
      const result = actionResult('deleteCallback', parseJson('deleteCallback', res), res.status);
      this.log.debug(`DELETE callbacks/${serviceName} -> ${res.status}`);
      return result;
    });
  }

  /** `POST /sms` (docs/thingspace-api.md, "Sending SMS"): ThingSpace queues the SMS and answers its
   *  requestId. Not idempotent: repeated here only when ThingSpace refused the bearer or the
   *  session (it queued nothing then); any other failure is the caller's to judge, with
   *  `requestSent` saying whether the request may have reached ThingSpace. */
  async sendSms(request: Omit<SmsSendRequest, 'accountName'>, opts: CallOptions = {}): Promise<SmsSendResponse> {
    return this.guard(async () => {
      const body: SmsSendRequest = { accountName: this.cfg.accountName, ...request };
      const res = await this.call('sendSms', 'POST', `${M2M_ROOT}/sms`, JSON.stringify(body), opts.signal);
      const result = sendAnswer(parseJson('sendSms', res), res.status);
      if (this.log.debugOn) this.log.debug(`POST sms -> ${res.status} (requestId ${result.requestId})`);
      return result;
    });
  }

  /** Token then login, once each, outside the shared token and session: what it finds does
   *  not mark them rejected, and its tokens are not kept. A password refused before is not
   *  sent again unless `force` (the dialog's "Try anyway"): the answer comes from the memory. */
  async testConnection(opts: CallOptions & { force?: boolean } = {}): Promise<ConnectionCheck> {
    // Its own secrets too: the probe's tokens are masked in what it reports, the shared ones stay.
    const secrets = this.newSecrets();
    const ctx: AuthContext = { http: this.http, secrets, log: clientLog(this.cfg.log, this.cfg.logDebug, secrets, 'test connection: ') };
    const report = (err: unknown): { ok: false; kind: ErrorKind; code: string; message: string } => {
      const e = err instanceof ThingSpaceError ? secrets.redactError(err) : this.clean(err);
      return { ok: false, kind: e.kind, code: e.code, message: e.message };
    };
    const { server, username, password } = this.cfg;
    let bearer: string;
    try {
      bearer = (await fetchToken(ctx, 'Basic ' + basicCredentials(this.cfg.clientId, this.cfg.clientSecret), opts.signal)).token;
    } catch (err) {
      return { token: report(err), login: { ok: false, skipped: true } };
    }
    const known = opts.force ? undefined : await this.refusals?.refused(server, username, password);
    if (known) {
      return { token: { ok: true }, login: { ok: false, kind: 'credentials_rejected', code: 'CREDENTIALS_REJECTED', message: refusalText(known, true), remembered: known } };
    }
    try {
      await loginOnce(ctx, bearer, username, password, opts.signal);
      await this.refusals?.recordSuccess(server, username);
      return { token: { ok: true }, login: { ok: true } };
    } catch (err) {
      if (!(err instanceof ThingSpaceError) || err.kind !== 'credentials_rejected' || !this.refusals) return { token: { ok: true }, login: report(err) };
      const recorded = await this.refusals.recordRefusal(server, username, password);
      return { token: { ok: true }, login: { ...report(err), message: `${refusalText(recorded, false)} (${err.code})`, recorded } };
    }
  }

  /** Cancels requests in flight and frees sockets. The client is unusable afterwards. */
  close(): void {
    this.auth.release();
    this.http.close();
  }

  /** One M2M call with the shared tokens. A refused bearer is replaced and the call retried
   *  once; an expired session is logged in again and the call retried once (docs/thingspace-api.md, "Access token" and "Session"). */
  private async call(operation: Operation, method: Method, path: string, data: string | undefined, signal?: AbortSignal): Promise<RawResponse> {
    let bearerRenewed = false;
    let sessionRenewed = false;
    for (;;) {
      const { bearer, session } = await this.auth.tokens(signal);
      const headers: Record<string, string> = { Authorization: `Bearer ${bearer}`, 'VZ-M2M-Token': session };
      if (data !== undefined) headers['Content-Type'] = 'application/json';
      const res = await this.http.send({ operation, method, path, headers, data, signal });
      if (res.status >= 200 && res.status < 300) return res;
      const err = this.clean(errorFromResponse(operation, res));
      this.log.debug(`${method} ${operation} -> ${res.status} (${err.kind}${err.errorCode ? ` ${err.errorCode}` : ''})`);
      // The refused token or session is dropped even when it is not retried now, so the
      // caller's next attempt (after its backoff) starts with a fresh one.
      if (err.kind === 'bearer_expired') {
        this.auth.dropBearer(bearer);
        if (!bearerRenewed) {
          bearerRenewed = true;
          this.log.info(`ThingSpace refused the access token on ${operation}; fetching a new one and retrying once`);
          continue;
        }
      }
      if (err.kind === 'session_expired') {
        this.auth.dropSession(session);
        if (!sessionRenewed) {
          sessionRenewed = true;
          this.log.info(`The ThingSpace session expired on ${operation}; logging in again and retrying once`);
          continue;
        }
      }
      throw err;
    }
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      this.auth.throwIfRejected();
      return await work();
    } catch (err) {
      const clean = this.clean(err);
      if (clean.kind === 'credentials_rejected') this.announce(clean);
      throw clean;
    }
  }

  /** Five failed logins lock the Verizon user (docs/thingspace-api.md, "Session"): say so once
   *  to everyone using this client, then refuse every call without a request. */
  private announce(err: ThingSpaceError): void {
    if (this.announced) return;
    this.announced = true;
    this.emit('rejected', this.clean(err));
  }

  /** Only our own errors leave the client, and only with secrets masked. */
  private clean(err: unknown): ThingSpaceError {
    if (err instanceof ThingSpaceError) return this.secrets.redactError(err);
    return new ThingSpaceError({ kind: 'internal', message: 'Internal error in the ThingSpace client' });
  }

  private newSecrets(): Secrets {
    return new Secrets(this.cfg.clientSecret, this.cfg.password, basicCredentials(this.cfg.clientId, this.cfg.clientSecret));
  }
}

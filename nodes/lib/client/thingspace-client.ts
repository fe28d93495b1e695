// The ThingSpace M2M client of one user: a view per billing account (every call names its account, so one
// token and session serve all of them), over one shared connection. Only ThingSpaceErrors leave it, masked (secrets.ts).
import { EventEmitter } from 'node:events';
import { M2M_ROOT, SMS_CALLBACK_SERVICE, type CallbackActionResult, type CallbackListener, type SmsSendRequest, type SmsSendResponse } from '../types';
import { checkAccountName } from './account';
import type { CallOptions, ConnectionCheck, HistoryBlock } from './api';
import { basicCredentials, fetchToken, loginOnce, type AuthContext } from './auth-requests';
import { checkCallbackUrl } from './callback-url';
import { badResponse, errorFromResponse, parseJson, type Operation, type RawResponse } from './classify';
import { validateOptions, type ThingSpaceClientOptions } from './config';
import { badConfig, causeStack, ThingSpaceError, unexpected, type ErrorKind } from './errors';
import { HttpTransport, type Method } from './http';
import { refusalText } from './login-refusals';
import { clientLog, Secrets } from './secrets';
import { actionResult, historyBody, listenerList, MAX_NEXT_LENGTH, nextFromLocation, sendAnswer, successBody } from './shapes';
import { AuthRegistry } from './shared-auth';

export type { ThingSpaceClientOptions } from './config';

type RejectedListener = (error: ThingSpaceError) => void;
type AnswerReader<T> = (body: unknown, status: number, operation: Operation) => T;

/** What the account views of one client share: the user's transport, tokens, session and 'rejected' event. */
function connect(options: ThingSpaceClientOptions, announce: RejectedListener) {
  const cfg = validateOptions(options);
  const secrets = new Secrets(cfg);
  const user = {
    cfg,
    http: new HttpTransport(cfg),
    secrets,
    log: clientLog(cfg.log, cfg.logDebug, secrets),
    refusals: options.refusals,
    auth: (options.auth ?? new AuthRegistry()).acquire(cfg, announce),
    // Every node using the config listens.
    events: new EventEmitter<{ rejected: [error: ThingSpaceError] }>().setMaxListeners(0),
    views: new Map<string, ThingSpaceClient>(),
    announced: false,
    /** Causes whose stack is in the debug log already. */
    stacksLogged: new WeakSet<object>(),
  };
  // A password refused before is known at once, before any node makes a call.
  void user.auth.session.recall(user);
  return user;
}

type Connection = ReturnType<typeof connect>;

/** One billing account's calls; `forAccount` gives the same user's other accounts over the same connection. */
export class ThingSpaceClient {
  readonly accountName: string;
  /** As a path segment. */
  private readonly account: string;
  private readonly user: Connection;
  private hasMoreDataWarned = false;

  /** `user`: the connection of the view that made this one (`forAccount`). */
  constructor(options: ThingSpaceClientOptions, user?: Connection) {
    this.user = user ?? connect(options, (err) => this.announce(err));
    this.accountName = checkAccountName(options.accountName);
    this.account = encodeURIComponent(this.accountName);
    this.user.views.set(this.accountName, this);
  }

  /** Set once ThingSpace rejected the user's credentials, whichever account's call found it; every call then fails
   *  at once without a request. */
  get credentialsRejected(): ThingSpaceError | undefined {
    return this.user.auth.bearer.rejected ?? this.user.auth.session.rejected;
  }

  /** Cached per account. Throws 'bad_config' for a name that is not one. */
  forAccount(accountName: string): ThingSpaceClient {
    return this.user.views.get(accountName) ?? new ThingSpaceClient({ ...this.user.cfg, accountName }, this.user);
  }

  /** A failure met outside the client (a consumer's, a send's), cleaned as the client's own. */
  unexpected(err: unknown, operation: string): ThingSpaceError {
    return this.clean(err, operation, 'Unexpected error');
  }

  /** 'rejected' is the user's: emitted once, to the listeners of every account. */
  on(event: 'rejected', listener: RejectedListener): this {
    this.user.events.on(event, listener);
    return this;
  }

  off(event: 'rejected', listener: RejectedListener): this {
    this.user.events.off(event, listener);
    return this;
  }

  removeAllListeners(): void {
    this.user.events.removeAllListeners();
  }

  /** `GET /sms/{accountName}/history[?next=]`. Passing `next` acknowledges the block it came with. */
  async history(next?: string, opts: CallOptions = {}): Promise<HistoryBlock> {
    const { user } = this;
    return this.guard(async () => {
      if (next !== undefined && (typeof next !== 'string' || next === '' || next.length > MAX_NEXT_LENGTH)) {
        throw badConfig('next must be the non-empty token taken from a Location header', 'history');
      }
      // Opaque: encoded, never parsed (docs/thingspace-api.md, "Open questions" 3).
      const query = next === undefined ? '' : `?next=${encodeURIComponent(next)}`;
      const res = await this.call('history', 'GET', `${M2M_ROOT}/sms/${this.account}/history${query}`, undefined, opts.signal);
      if (res.status !== 200 && res.status !== 202) throw badResponse('history', res.status, `HTTP ${res.status} is not a history answer`);
      const body = historyBody(parseJson('history', res), res.status);
      // The status decides (docs/thingspace-api.md, "SMS history"); a disagreeing hasMoreData is only logged.
      const more = res.status === 202;
      if (body.hasMoreData !== undefined && body.hasMoreData !== more && !this.hasMoreDataWarned) {
        this.hasMoreDataWarned = true;
        user.log.warn(
          `ThingSpace answered the SMS history of ${this.accountName} with HTTP ${res.status} but hasMoreData ${body.hasMoreData}; following the status (said once)`,
        );
      }
      const block: HistoryBlock = { status: res.status, hasMoreData: more, messages: body.messages };
      // A 200's Location is kept too: it may be the only way to acknowledge the final block.
      const location = res.headers['location'];
      if (res.status === 202 || location !== undefined) {
        const parsed = nextFromLocation(location, user.cfg.server, this.accountName);
        if (!parsed.ok) throw badResponse('history', res.status, parsed.reason);
        block.next = parsed.next;
      }
      if (user.log.debugOn) {
        const sent = next === undefined ? '' : ` next=${next}`;
        const got = block.next === undefined ? '' : `, next=${block.next}`;
        user.log.debug(`GET history ${this.accountName}${sent} -> ${res.status} (${block.messages.length} messages${got})`);
      }
      return block;
    });
  }

  startCallbacks(opts: CallOptions = {}): Promise<{ success: boolean }> {
    return this.request('startCallbacks', 'PUT', `sms/${this.account}/startCallbacks`, successBody, opts);
  }

  /** `opts.serviceName`: MO SMS (`EnhancedConnectivityService`, the default) or `SMSDeliveryConfirmation`. */
  async registerCallback(
    url: string,
    creds: { username?: string; password?: string } = {},
    opts: CallOptions & { serviceName?: string } = {},
  ): Promise<CallbackActionResult> {
    const checked = checkCallbackUrl(typeof url === 'string' ? url : '');
    if (!checked.ok) throw badConfig(checked.reason, 'registerCallback');
    const body: Record<string, string> = { name: opts.serviceName ?? SMS_CALLBACK_SERVICE, url: checked.url };
    if (creds.username) body.username = creds.username;
    if (creds.password) body.password = creds.password;
    return this.request('registerCallback', 'POST', `callbacks/${this.account}`, actionResult, opts, body);
  }

  listCallbacks(opts: CallOptions = {}): Promise<CallbackListener[]> {
    return this.request('listCallbacks', 'GET', `callbacks/${this.account}`, listenerList, opts);
  }

  async deleteCallback(serviceName: string, opts: CallOptions = {}): Promise<CallbackActionResult> {
    // '.' and '..' survive encodeURIComponent and URL resolution would climb out of the path.
    if (typeof serviceName !== 'string' || serviceName === '' || serviceName === '.' || serviceName === '..') {
      throw badConfig('The callback service name is missing or invalid', 'deleteCallback');
    }
    return this.request('deleteCallback', 'DELETE', `callbacks/${this.account}/name/${encodeURIComponent(serviceName)}`, actionResult, opts);
  }

  /** Not idempotent: repeated only after a refused bearer or session, which queued nothing; a failure's
   *  `requestSent` says whether ThingSpace may have queued it. */
  sendSms(request: Omit<SmsSendRequest, 'accountName'>, opts: CallOptions = {}): Promise<SmsSendResponse> {
    return this.request('sendSms', 'POST', 'sms', sendAnswer, opts, { accountName: this.accountName, ...request });
  }

  /** The user's token then login (the same for every account), once each, never retried, outside the shared token
   *  and session so that what it finds rejects nothing; says which failed. A password refused before is answered
   *  from memory unless `force`. */
  async testConnection(opts: CallOptions & { force?: boolean } = {}): Promise<ConnectionCheck> {
    const { cfg, http, refusals } = this.user;
    // Its own secrets, so the probe's tokens are masked in what it reports.
    const secrets = new Secrets(cfg);
    const ctx: AuthContext = { http, secrets, log: clientLog(cfg.log, cfg.logDebug, secrets, 'test connection: ') };
    const report = (err: unknown): { ok: false; kind: ErrorKind; code: string; message: string } => {
      const e = err instanceof ThingSpaceError ? secrets.redactError(err) : this.clean(err);
      return { ok: false, kind: e.kind, code: e.code, message: e.message };
    };
    const { server, username, password } = cfg;
    let bearer: string;
    try {
      bearer = (await fetchToken(ctx, 'Basic ' + basicCredentials(cfg.clientId, cfg.clientSecret), opts.signal)).token;
    } catch (err) {
      return { token: report(err), login: { ok: false, skipped: true } };
    }
    const known = opts.force ? undefined : await refusals?.refused(server, username, password);
    if (known) {
      return {
        token: { ok: true },
        login: { ok: false, kind: 'credentials_rejected', code: 'CREDENTIALS_REJECTED', message: refusalText(known, true), remembered: known },
      };
    }
    try {
      await loginOnce(ctx, bearer, username, password, opts.signal);
      await refusals?.recordSuccess(server, username);
      return { token: { ok: true }, login: { ok: true } };
    } catch (err) {
      if (!(err instanceof ThingSpaceError) || err.kind !== 'credentials_rejected' || !refusals) return { token: { ok: true }, login: report(err) };
      const recorded = await refusals.recordRefusal(server, username, password);
      return { token: { ok: true }, login: { ...report(err), message: `${refusalText(recorded, false)} (${err.code})`, recorded } };
    }
  }

  /** The whole user's, every account's view included: unusable afterwards. */
  close(): void {
    this.user.auth.release();
    this.user.http.close();
  }

  private request<T>(operation: Operation, method: Method, path: string, read: AnswerReader<T>, opts: CallOptions, body?: object): Promise<T> {
    return this.guard(async () => {
      const res = await this.call(operation, method, `${M2M_ROOT}/${path}`, body && JSON.stringify(body), opts.signal);
      const result = read(parseJson(operation, res), res.status, operation);
      this.user.log.debug(`${method} ${operation} ${this.accountName} -> ${res.status}`);
      return result;
    });
  }

  /** A refused bearer or expired session is renewed and the call retried once each (docs/thingspace-api.md, "Session"). */
  private async call(operation: Operation, method: Method, path: string, data: string | undefined, signal?: AbortSignal): Promise<RawResponse> {
    const { auth, log } = this.user;
    const renewed = new Set<ErrorKind>();
    for (;;) {
      const session = await auth.session.get(this.user, signal);
      const bearer = await auth.bearer.get(this.user, signal);
      this.user.secrets.live = [bearer, session];
      const headers: Record<string, string> = { Authorization: `Bearer ${bearer}`, 'VZ-M2M-Token': session };
      if (data !== undefined) headers['Content-Type'] = 'application/json';
      const res = await this.user.http.send({ operation, method, path, headers, data, signal });
      if (res.status >= 200 && res.status < 300) return res;
      const err = this.clean(errorFromResponse(operation, res));
      log.debug(`${method} ${operation} -> ${res.status} (${err.kind}${err.errorCode ? ` ${err.errorCode}` : ''})`);
      // Dropped even when not retried now, so the caller's next attempt starts fresh.
      if (err.kind === 'bearer_expired') auth.bearer.drop(bearer);
      else if (err.kind === 'session_expired') auth.session.drop(session);
      else throw err;
      if (renewed.has(err.kind)) throw err;
      renewed.add(err.kind);
      log.info(
        err.kind === 'bearer_expired'
          ? `ThingSpace refused the access token on ${operation}; fetching a new one and retrying once`
          : `The ThingSpace session expired on ${operation}; logging in again and retrying once`,
      );
    }
  }

  /** Runs a call: refused at once after a rejection (five failed logins lock the Verizon user, docs/thingspace-api.md,
   *  "Session"), errors masked, 'rejected' emitted once. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      if (this.credentialsRejected) throw this.credentialsRejected;
      return await work();
    } catch (err) {
      const clean = this.clean(err);
      if (clean.kind === 'credentials_rejected') this.announce(clean);
      throw clean;
    }
  }

  private announce(err: ThingSpaceError): void {
    if (this.user.announced) return;
    this.user.announced = true;
    this.user.events.emit('rejected', this.clean(err));
  }

  /** What leaves the client: masked; an unknown failure made 'internal', its masked stack in the debug log. */
  private clean(err: unknown, operation = 'client', what = 'Internal error in the ThingSpace client'): ThingSpaceError {
    const found = unexpected(err, operation, what);
    const clean = this.user.secrets.redactError(found);
    const stack = causeStack(clean);
    if (stack !== undefined && !this.user.stacksLogged.has(found.cause as object)) {
      this.user.stacksLogged.add(found.cause as object);
      this.user.log.debug(`${clean.operation ?? operation}: ${clean.message}; cause: ${stack}`);
    }
    return clean;
  }
}

// The ThingSpace M2M client of one user, for every account the user reaches. Only
// ThingSpaceErrors leave it, with secrets masked (secrets.ts).
import { EventEmitter } from 'node:events';
import type { CallbackActionResult, CallbackListener, SmsSendRequest, SmsSendResponse } from '../types';
import { checkAccountName } from './account';
import { AccountClient, type UserConnection } from './account-client';
import type { CallOptions, ConnectionCheck, HistoryBlock, SmsSendApi, ThingSpaceApi } from './api';
import { basicCredentials, fetchToken, loginOnce, type AuthContext } from './auth-requests';
import { errorFromResponse, type Operation, type RawResponse } from './classify';
import { validateOptions, type ClientConfig, type ThingSpaceClientOptions } from './config';
import { ThingSpaceError, causeStack, unexpected, type ErrorKind } from './errors';
import { HttpTransport, type Method } from './http';
import { refusalText, type RefusalMemory } from './login-refusals';
import { clientLog, Secrets, type ClientLog } from './secrets';
import { AuthRegistry, type AuthHold } from './shared-auth';

export type { ThingSpaceClientOptions } from './config';

interface ThingSpaceClientEvents {
  /** Once, when any client sharing the credentials finds them rejected (or refused on record). */
  rejected: [error: ThingSpaceError];
}

export class ThingSpaceClient extends EventEmitter<ThingSpaceClientEvents> implements ThingSpaceApi, SmsSendApi {
  readonly accountName: string;
  private readonly cfg: ClientConfig;
  private readonly http: HttpTransport;
  private readonly secrets: Secrets;
  private readonly log: ClientLog;
  private readonly auth: AuthHold;
  private readonly accounts = new Map<string, AccountClient>();
  private readonly user: UserConnection;
  private readonly own: AccountClient;
  private readonly refusals?: RefusalMemory;
  private announced = false;
  /** Causes whose stack is in the debug log already. */
  private readonly stacksLogged = new WeakSet<object>();

  constructor(options: ThingSpaceClientOptions) {
    super();
    // Every node using the config listens.
    this.setMaxListeners(0);
    this.cfg = validateOptions(options);
    this.accountName = this.cfg.accountName;
    this.http = new HttpTransport(this.cfg);
    this.secrets = this.newSecrets();
    this.log = clientLog(this.cfg.log, this.cfg.logDebug, this.secrets);
    this.refusals = options.refusals;
    const ctx: AuthContext = { http: this.http, secrets: this.secrets, log: this.log, refusals: options.refusals };
    this.auth = (options.auth ?? new AuthRegistry()).acquire(this.cfg, ctx, (err) => this.announce(err));
    const auth = this.auth;
    this.user = {
      server: this.cfg.server,
      log: this.log,
      get credentialsRejected() {
        return auth.rejected;
      },
      call: (operation, method, path, data, signal) => this.call(operation, method, path, data, signal),
      guard: (work) => this.guard(work),
      unexpected: (err, operation) => this.clean(err, operation, 'Unexpected error'),
      testConnection: (opts) => this.testConnection(opts),
      on: (event, listener) => this.on(event, listener),
      off: (event, listener) => this.off(event, listener),
    };
    this.own = this.forAccount(this.accountName);
  }

  get credentialsRejected(): ThingSpaceError | undefined {
    return this.auth.rejected;
  }

  /** Cached per account. Throws 'bad_config' for a name that is not one. */
  forAccount(accountName: string): AccountClient {
    let view = this.accounts.get(accountName);
    if (!view) {
      view = new AccountClient(checkAccountName(accountName), this.user);
      this.accounts.set(accountName, view);
    }
    return view;
  }

  // options.accountName's calls, for callers that use one account.
  history(next?: string, opts?: CallOptions): Promise<HistoryBlock> {
    return this.own.history(next, opts);
  }

  startCallbacks(opts?: CallOptions): Promise<{ success: boolean }> {
    return this.own.startCallbacks(opts);
  }

  registerCallback(
    url: string,
    creds?: { username?: string; password?: string },
    opts?: CallOptions & { serviceName?: string },
  ): Promise<CallbackActionResult> {
    return this.own.registerCallback(url, creds, opts);
  }

  listCallbacks(opts?: CallOptions): Promise<CallbackListener[]> {
    return this.own.listCallbacks(opts);
  }

  deleteCallback(serviceName: string, opts?: CallOptions): Promise<CallbackActionResult> {
    return this.own.deleteCallback(serviceName, opts);
  }

  sendSms(request: Omit<SmsSendRequest, 'accountName'>, opts?: CallOptions): Promise<SmsSendResponse> {
    return this.own.sendSms(request, opts);
  }

  /** Outside the shared token and session, so what it finds rejects nothing. */
  async testConnection(opts: CallOptions & { force?: boolean } = {}): Promise<ConnectionCheck> {
    // Its own secrets, so the probe's tokens are masked in what it reports.
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
      return {
        token: { ok: true },
        login: { ok: false, kind: 'credentials_rejected', code: 'CREDENTIALS_REJECTED', message: refusalText(known, true), remembered: known },
      };
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

  /** The client is unusable afterwards. */
  close(): void {
    this.auth.release();
    this.http.close();
  }

  /** A refused bearer or expired session is renewed and the call retried once each (docs/thingspace-api.md, "Session"). */
  private async call(operation: Operation, method: Method, path: string, data: string | undefined, signal?: AbortSignal): Promise<RawResponse> {
    const renewed = new Set<ErrorKind>();
    for (;;) {
      const { bearer, session } = await this.auth.tokens(signal);
      const headers: Record<string, string> = { Authorization: `Bearer ${bearer}`, 'VZ-M2M-Token': session };
      if (data !== undefined) headers['Content-Type'] = 'application/json';
      const res = await this.http.send({ operation, method, path, headers, data, signal });
      if (res.status >= 200 && res.status < 300) return res;
      const err = this.clean(errorFromResponse(operation, res));
      this.log.debug(`${method} ${operation} -> ${res.status} (${err.kind}${err.errorCode ? ` ${err.errorCode}` : ''})`);
      // Dropped even when not retried now, so the caller's next attempt starts fresh.
      if (err.kind === 'bearer_expired') this.auth.bearer.drop(bearer);
      else if (err.kind === 'session_expired') this.auth.session.drop(session);
      else throw err;
      if (renewed.has(err.kind)) throw err;
      renewed.add(err.kind);
      this.log.info(
        err.kind === 'bearer_expired'
          ? `ThingSpace refused the access token on ${operation}; fetching a new one and retrying once`
          : `The ThingSpace session expired on ${operation}; logging in again and retrying once`,
      );
    }
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      if (this.auth.rejected) throw this.auth.rejected;
      return await work();
    } catch (err) {
      const clean = this.clean(err);
      if (clean.kind === 'credentials_rejected') this.announce(clean);
      throw clean;
    }
  }

  /** Said once: five failed logins lock the Verizon user (docs/thingspace-api.md, "Session"). */
  private announce(err: ThingSpaceError): void {
    if (this.announced) return;
    this.announced = true;
    this.emit('rejected', this.clean(err));
  }

  /** What leaves the client: masked; an unknown failure made 'internal', its masked stack in the debug log. */
  private clean(err: unknown, operation = 'client', what = 'Internal error in the ThingSpace client'): ThingSpaceError {
    const found = unexpected(err, operation, what);
    const clean = this.secrets.redactError(found);
    const stack = causeStack(clean);
    if (stack !== undefined && !this.stacksLogged.has(found.cause as object)) {
      this.stacksLogged.add(found.cause as object);
      this.log.debug(`${clean.operation ?? operation}: ${clean.message}; cause: ${stack}`);
    }
    return clean;
  }

  private newSecrets(): Secrets {
    return new Secrets(this.cfg.clientSecret, this.cfg.password, basicCredentials(this.cfg.clientId, this.cfg.clientSecret));
  }
}

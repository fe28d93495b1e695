// One billing account's calls: every call names its account, so one token and session serve all of a user's accounts.
import { M2M_ROOT, SMS_CALLBACK_SERVICE, type CallbackActionResult, type CallbackListener, type SmsSendRequest, type SmsSendResponse } from '../types';
import type { CallOptions, ConnectionCheck, HistoryBlock, SmsSendApi, ThingSpaceApi } from './api';
import { checkCallbackUrl } from './callback-url';
import { parseJson, badResponse, type Operation, type RawResponse } from './classify';
import { badConfig, type ThingSpaceError } from './errors';
import type { Method } from './http';
import type { ClientLog } from './secrets';
import { actionResult, historyBody, listenerList, sendAnswer, successBody } from './shapes';

/** Longer is not a paging token: refused rather than echoed into a URL. */
const MAX_NEXT_LENGTH = 1024;
const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:|^\/\//;

type NextParse = { ok: true; next: string } | { ok: false; reason: string };

function isHistoryPath(pathname: string, serverPath: string, accountName: string): boolean {
  const match = /^(.*)\/sms\/([^/]+)\/history$/.exec(pathname);
  if (!match) return false;
  try {
    if (decodeURIComponent(match[2]) !== accountName) return false;
  } catch {
    return false;
  }
  return match[1] === '' || match[1] === M2M_ROOT || match[1] === serverPath + M2M_ROOT;
}

/** Location may be relative, prefixed or absolute (docs/thingspace-api.md, "Open questions" 4). `next` is taken only from
 *  this account's history on this server, so a header cannot send our credentials elsewhere; it stays a string. */
export function nextFromLocation(location: string | undefined, server: string, accountName: string): NextParse {
  if (location === undefined || location.trim() === '') return { ok: false, reason: 'no Location header' };
  const text = location.trim();
  const base = new URL(server);
  let url: URL;
  try {
    url = new URL(text, base.origin);
  } catch {
    return { ok: false, reason: 'the Location header is not a URL' };
  }
  if (ABSOLUTE.test(text) && url.origin !== base.origin) return { ok: false, reason: 'the Location header points at another host' };
  if (!ABSOLUTE.test(text) && !text.startsWith('/')) return { ok: false, reason: 'the Location header is not an absolute path' };
  const serverPath = base.pathname.replace(/\/+$/, '');
  if (!isHistoryPath(url.pathname, serverPath, accountName)) return { ok: false, reason: "the Location header does not point at this account's SMS history" };
  const values = url.searchParams.getAll('next');
  if (values.length !== 1 || values[0] === '') return { ok: false, reason: 'the Location header has no single next value' };
  if (values[0].length > MAX_NEXT_LENGTH) return { ok: false, reason: 'the next token in the Location header is too long' };
  return { ok: true, next: values[0] };
}

type RejectedListener = (error: ThingSpaceError) => void;

export interface UserConnection {
  readonly server: string;
  readonly log: ClientLog;
  readonly credentialsRejected: ThingSpaceError | undefined;
  /** One M2M call with the shared tokens, renewed and retried once when refused. */
  call(operation: Operation, method: Method, path: string, data: string | undefined, signal?: AbortSignal): Promise<RawResponse>;
  /** Runs a call: refused at once after a rejection, errors masked, 'rejected' emitted once. */
  guard<T>(work: () => Promise<T>): Promise<T>;
  testConnection(opts?: CallOptions): Promise<ConnectionCheck>;
  /** Masked; an unknown failure becomes 'internal', its stack in the debug log. */
  unexpected(err: unknown, operation: string): ThingSpaceError;
  on(event: 'rejected', listener: RejectedListener): unknown;
  off(event: 'rejected', listener: RejectedListener): unknown;
}

export class AccountClient implements ThingSpaceApi, SmsSendApi {
  /** As a path segment. */
  private readonly account: string;
  private hasMoreDataWarned = false;

  /** `accountName` is checked by the caller (account.ts). */
  constructor(
    readonly accountName: string,
    private readonly user: UserConnection,
  ) {
    this.account = encodeURIComponent(accountName);
  }

  /** Set once ThingSpace rejected the user's credentials, whichever account's call found it. */
  get credentialsRejected(): ThingSpaceError | undefined {
    return this.user.credentialsRejected;
  }

  /** A failure met outside the client (a consumer's, a send's), cleaned as the client's own. */
  unexpected(err: unknown, operation: string): ThingSpaceError {
    return this.user.unexpected(err, operation);
  }

  /** 'rejected' is the user's: emitted once for every account of the client. */
  on(event: 'rejected', listener: RejectedListener): this {
    this.user.on(event, listener);
    return this;
  }

  off(event: 'rejected', listener: RejectedListener): this {
    this.user.off(event, listener);
    return this;
  }

  async history(next?: string, opts: CallOptions = {}): Promise<HistoryBlock> {
    const { user } = this;
    return user.guard(async () => {
      if (next !== undefined && (typeof next !== 'string' || next === '' || next.length > MAX_NEXT_LENGTH)) {
        throw badConfig('next must be the non-empty token taken from a Location header', 'history');
      }
      // Opaque: encoded, never parsed (docs/thingspace-api.md, "Open questions" 3).
      const query = next === undefined ? '' : `?next=${encodeURIComponent(next)}`;
      const res = await user.call('history', 'GET', `${M2M_ROOT}/sms/${this.account}/history${query}`, undefined, opts.signal);
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
        const parsed = nextFromLocation(location, user.server, this.accountName);
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

  async startCallbacks(opts: CallOptions = {}): Promise<{ success: boolean }> {
    return this.user.guard(async () => {
      const res = await this.user.call('startCallbacks', 'PUT', `${M2M_ROOT}/sms/${this.account}/startCallbacks`, undefined, opts.signal);
      const result = successBody(parseJson('startCallbacks', res), res.status);
      this.user.log.debug(`PUT startCallbacks ${this.accountName} -> ${res.status} (success ${result.success})`);
      return result;
    });
  }

  /** `opts.serviceName`: MO SMS (`EnhancedConnectivityService`, the default) or `SMSDeliveryConfirmation`. */
  async registerCallback(
    url: string,
    creds: { username?: string; password?: string } = {},
    opts: CallOptions & { serviceName?: string } = {},
  ): Promise<CallbackActionResult> {
    return this.user.guard(async () => {
      const checked = checkCallbackUrl(typeof url === 'string' ? url : '');
      if (!checked.ok) throw badConfig(checked.reason, 'registerCallback');
      const body: Record<string, string> = { name: opts.serviceName ?? SMS_CALLBACK_SERVICE, url: checked.url };
      if (creds.username) body.username = creds.username;
      if (creds.password) body.password = creds.password;
      const res = await this.user.call('registerCallback', 'POST', `${M2M_ROOT}/callbacks/${this.account}`, JSON.stringify(body), opts.signal);
      const result = actionResult('registerCallback', parseJson('registerCallback', res), res.status);
      this.user.log.debug(`POST callbacks ${this.accountName} -> ${res.status} (${result.serviceName})`);
      return result;
    });
  }

  async listCallbacks(opts: CallOptions = {}): Promise<CallbackListener[]> {
    return this.user.guard(async () => {
      const res = await this.user.call('listCallbacks', 'GET', `${M2M_ROOT}/callbacks/${this.account}`, undefined, opts.signal);
      const list = listenerList(parseJson('listCallbacks', res), res.status);
      this.user.log.debug(`GET callbacks ${this.accountName} -> ${res.status} (${list.length} listeners)`);
      return list;
    });
  }

  async deleteCallback(serviceName: string, opts: CallOptions = {}): Promise<CallbackActionResult> {
    return this.user.guard(async () => {
      // '.' and '..' survive encodeURIComponent and URL resolution would climb out of the path.
      if (typeof serviceName !== 'string' || serviceName === '' || serviceName === '.' || serviceName === '..') {
        throw badConfig('The callback service name is missing or invalid', 'deleteCallback');
      }
      const path = `${M2M_ROOT}/callbacks/${this.account}/name/${encodeURIComponent(serviceName)}`;
      const res = await this.user.call('deleteCallback', 'DELETE', path, undefined, opts.signal);
      const result = actionResult('deleteCallback', parseJson('deleteCallback', res), res.status);
      this.user.log.debug(`DELETE callbacks ${this.accountName}/${serviceName} -> ${res.status}`);
      return result;
    });
  }

  /** Not idempotent: repeated only after a refused bearer or session, which queued nothing. */
  async sendSms(request: Omit<SmsSendRequest, 'accountName'>, opts: CallOptions = {}): Promise<SmsSendResponse> {
    return this.user.guard(async () => {
      const body: SmsSendRequest = { accountName: this.accountName, ...request };
      const res = await this.user.call('sendSms', 'POST', `${M2M_ROOT}/sms`, JSON.stringify(body), opts.signal);
      const result = sendAnswer(parseJson('sendSms', res), res.status);
      if (this.user.log.debugOn) this.user.log.debug(`POST sms ${this.accountName} -> ${res.status} (requestId ${result.requestId})`);
      return result;
    });
  }

  /** The user's token and login: the same for every account. */
  testConnection(opts: CallOptions = {}): Promise<ConnectionCheck> {
    return this.user.testConnection(opts);
  }
}

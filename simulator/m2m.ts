// The ThingSpace endpoints themselves: token, session, history, startCallbacks and callback
// registration, each as docs/thingspace-api.md describes it under its own heading. Each
// handler returns a Reply.
import type { IncomingHttpHeaders } from 'node:http';
import type { HasMoreDataMode, SimulatorCounters } from './options';
import { M2M_ROOT, SMS_CALLBACK_SERVICE, type CallbackRegistration, type HistoryResponseBody, type SmsMessage } from '../nodes/lib/types';
import type { Auth } from './auth';
import type { CallbackPusher, CallbackRegistry } from './callbacks';
import type { MtService } from './mt';
import type { SmsQueue } from './queue';
import type { ApiRoute } from './routes';
import type { ResolvedOptions } from './settings';
import { ERR, gatewayFault, json, m2mError, oauthError, type Reply } from './reply';

export interface ApiContext {
  opts(): ResolvedOptions;
  readonly auth: Auth;
  /** The live counters object (not a snapshot). */
  counters(): SimulatorCounters;
  readonly registry: CallbackRegistry;
  readonly pusher: CallbackPusher;
  /** Sending SMS to devices (POST /sms). */
  readonly mt: MtService;
  /** The queue of a known account, else undefined. */
  queue(accountName: string): SmsQueue | undefined;
  newToken(): string;
  log(line: string): void;
}

export interface ApiRequest {
  route: ApiRoute;
  headers: IncomingHttpHeaders;
  body: string;
  /** `http(s)://host:port` as the client addressed us, for the absolute Location form. */
  origin: string;
}

const FAULT_900901 = () =>
  gatewayFault(
    401,
    900901,
    'Invalid Credentials',
    'Access failure for API: /api/m2m/v1, version: v1 status: (900901) - Invalid Credentials. Make sure you have provided the correct security credentials',
  );
const FAULT_900902 = () =>
  gatewayFault(
    401,
    900902,
    'Missing Credentials',
    'Required OAuth credentials not provided. Make sure your API invocation call has a header: "Authorization: Bearer ACCESS_TOKEN"',
  );

export function handleApi(ctx: ApiContext, req: ApiRequest): Reply {
  const { route } = req;
  if (route.name === 'token') return token(ctx, req);
  if (route.name === 'revoke') return revoke(ctx, req);

  const bearer = ctx.auth.checkBearer(header(req.headers, 'authorization'));
  if (bearer === 'missing') return FAULT_900902();
  if (bearer === 'invalid') return FAULT_900901();

  if (route.name === 'login') return login(ctx, req);

  const sessionToken = header(req.headers, 'vz-m2m-token');
  switch (ctx.auth.checkSession(sessionToken)) {
    case 'missing':
      return m2mError(ERR.sessionMissing, 'The VZ-M2M-Token header is missing.');
    case 'invalid':
      return m2mError(ERR.sessionInvalid, 'The session token is not valid.');
    case 'expired':
      return m2mError(ERR.sessionExpired, 'The Session has expired.');
    case 'ok':
      break;
  }

  if (route.name === 'logout') {
    ctx.auth.logout(sessionToken as string);
    return json(200, { sessionToken });
  }

  // The account is in the body, not the path (docs/thingspace-api.md, "Sending SMS").
  if (route.name === 'sendSms') return ctx.mt.send(req.body);

  const accountName = route.account as string;
  const queue = route.accountValid ? ctx.queue(accountName) : undefined;
  if (!queue) return m2mError(ERR.accountNotFound, 'Account not found.');

  switch (route.name) {
    case 'history':
      return history(ctx, req, accountName, queue);
    case 'startCallbacks':
      return startCallbacks(ctx, accountName);
    case 'registerCallback':
      return registerCallback(ctx, req, accountName);
    case 'listCallbacks':
      return json(200, ctx.registry.list(accountName));
    case 'deleteCallback': {
      const serviceName = route.serviceName as string;
      if (!ctx.registry.remove(accountName, serviceName)) {
        return m2mError(ERR.callbackNotFound, `No ${serviceName} callback is registered for this account.`);
      }
      if (serviceName === SMS_CALLBACK_SERVICE) ctx.pusher.deactivate(accountName);
      return json(200, { accountName, serviceName });
    }
    default:
      return m2mError(ERR.unexpected, 'Unexpected request.');
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function token(ctx: ApiContext, req: ApiRequest): Reply {
  if (!ctx.auth.clientOk(header(req.headers, 'authorization'))) {
    return oauthError(401, 'invalid_client', 'Client authentication failed.');
  }
  const grant = new URLSearchParams(req.body).get('grant_type');
  if (grant === null) return oauthError(400, 'invalid_request', 'grant_type is required.');
  if (grant !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 'Only client_credentials is supported.');
  const issued = ctx.auth.issueToken();
  if (issued.fresh) ctx.counters().tokensIssued++;
  return json(200, { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn, scope: 'default' });
}

function revoke(ctx: ApiContext, req: ApiRequest): Reply {
  if (!ctx.auth.clientOk(header(req.headers, 'authorization'))) {
    return oauthError(401, 'invalid_client', 'Client authentication failed.');
  }
  const value = new URLSearchParams(req.body).get('token');
  if (value) ctx.auth.revoke(value);
  return { status: 200 };
}

function login(ctx: ApiContext, req: ApiRequest): Reply {
  let body: { username?: unknown; password?: unknown };
  try {
    body = JSON.parse(req.body) as typeof body;
  } catch {
    return m2mError(ERR.requestUndefined, 'The request body is not valid JSON.');
  }
  if (body === null || typeof body !== 'object') return m2mError(ERR.requestUndefined, 'The request body is empty.');
  const result = ctx.auth.login(body.username, body.password);
  if (result.ok) {
    ctx.counters().loginsOk++;
    return json(200, { sessionToken: result.sessionToken });
  }
  ctx.counters().loginsFailed++;
  if (!result.locked && ctx.auth.isLocked(typeof body.username === 'string' ? body.username : '')) {
    ctx.log(`user locked after ${ctx.opts().lockoutAfter} failed logins (POST /_sim/unlock to unlock)`);
  }
  // The failure that locks the user still reads as a wrong password; the attempts after it say locked.
  if (result.locked) {
    return m2mError(ERR.userLocked, 'The user is locked after too many failed logins. Contact support.');
  }
  return m2mError(ERR.passwordInvalid, 'The username or password is not valid.');
}

function location(ctx: ApiContext, req: ApiRequest, accountName: string, next: string): string {
  const relative = `/sms/${encodeURIComponent(accountName)}/history?next=${next}`;
  switch (ctx.opts().locationForm) {
    case 'prefixed':
      return `${M2M_ROOT}${relative}`;
    case 'absolute':
      return `${req.origin}${M2M_ROOT}${relative}`;
    case 'relative':
    default:
      return relative;
  }
}

function history(ctx: ApiContext, req: ApiRequest, accountName: string, queue: SmsQueue): Reply {
  const nexts = req.route.query.getAll('next');
  const c = ctx.counters();
  if (nexts.length > 1) return m2mError(ERR.unexpected, 'More than one next parameter.');
  if (nexts.length === 1) {
    const { result, acked } = queue.ackToken(nexts[0]);
    if (result === 'unknown') {
      c.tokensRefused++;
      return m2mError(ERR.unexpected, 'The next token is not valid.');
    }
    if (result === 'stale') {
      c.tokensStale++;
      if (ctx.opts().staleNext === 'refuse') return m2mError(ERR.unexpected, 'The next token was used already.');
    }
    c.messagesAcked += acked;
  } else if (ctx.opts().withoutNext === 'consume') {
    c.messagesAcked += queue.consumeLastServed();
  }
  const block = queue.serve(ctx.opts().blockSize, ctx.opts().finalBlock, () => ctx.newToken());
  if (block.messages.length > 0) {
    c.historyBlocksServed++;
    c.messagesServed += block.messages.length;
    c.messagesAcked += block.ackedOnDelivery;
    if (block.redelivered) c.redeliveries++;
  }
  const body = historyBody(block.more, block.messages, ctx.opts().hasMoreData);
  const reply = block.more ? json(202, body, { Location: location(ctx, req, accountName, block.token as string) }) : json(200, body);
  reply.messages = block.messages.length;
  return reply;
}

/** The status says whether more is waiting; the body's hasMoreData may be left out, or say the opposite. */
function historyBody(more: boolean, messages: SmsMessage[], mode: HasMoreDataMode): HistoryResponseBody {
  switch (mode) {
    case 'absent':
      return { messages };
    case 'contradicts':
      return { hasMoreData: !more, messages };
    case 'present':
    default:
      return { hasMoreData: more, messages };
  }
}

function startCallbacks(ctx: ApiContext, accountName: string): Reply {
  if (!ctx.registry.get(accountName, SMS_CALLBACK_SERVICE)) {
    return m2mError(ERR.callbackNotRegistered, `No ${SMS_CALLBACK_SERVICE} callback listener is registered for this account.`);
  }
  // docs/thingspace-api.md, "startCallbacks": the answer comes at once; the replay happens afterwards.
  setImmediate(() => ctx.pusher.start(accountName));
  return json(200, { success: true });
}

function registerCallback(ctx: ApiContext, req: ApiRequest, accountName: string): Reply {
  let reg: Partial<CallbackRegistration>;
  try {
    reg = JSON.parse(req.body) as Partial<CallbackRegistration>;
  } catch {
    return m2mError(ERR.requestUndefined, 'The request body is not valid JSON.');
  }
  if (reg === null || typeof reg !== 'object' || typeof reg.name !== 'string' || reg.name === '' || typeof reg.url !== 'string') {
    return m2mError(ERR.callbackInvalid, 'name and url are required.');
  }
  let url: URL;
  try {
    url = new URL(reg.url);
  } catch {
    return m2mError(ERR.callbackInvalid, 'url is not a valid URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return m2mError(ERR.callbackInvalid, 'url must be http or https.');
  for (const field of ['username', 'password'] as const) {
    if (reg[field] !== undefined && typeof reg[field] !== 'string') return m2mError(ERR.callbackInvalid, `${field} must be a string.`);
  }
  return json(200, ctx.registry.register(accountName, reg as CallbackRegistration));
}

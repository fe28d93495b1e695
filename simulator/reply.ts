// Handlers return a Reply instead of writing to the response, so the server can add
// latency or replace the answer (faults such as 'reset-after') in one place.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** History answers: how many SMS the body carries (for the history log; never sent). */
  messages?: number;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** The M2M error body (docs/thingspace-api.md, "Errors"); the documented status for these is 400. */
export function m2mError(errorCode: string, errorMessage: string, status = 400): Reply {
  return json(status, { errorCode, errorMessage });
}

/** The WSO2 gateway fault shape (docs/thingspace-api.md, "Errors"): 900901 invalid bearer, 900902 missing, 900906 no resource. */
export function gatewayFault(status: number, code: number, message: string, description: string): Reply {
  return json(status, { fault: { code, message, description } });
}

export function oauthError(status: number, error: string, description: string): Reply {
  return json(status, { error, error_description: description });
}

export const ERR = {
  accountNotFound: 'UnifiedWebService.REQUEST_FAILED.AccountNotFound',
  unexpected: 'UnifiedWebService.REQUEST_FAILED.UnexpectedError',
  sessionExpired: 'UnifiedWebService.REQUEST_FAILED.SessionToken.Expired',
  sessionInvalid: 'UnifiedWebService.INPUT_INVALID.SessionToken.Invalid',
  sessionMissing: 'UnifiedWebService.REQUEST_FAILED.SessionToken.Format',
  passwordInvalid: 'UnifiedWebService.INPUT_INVALID.Password.Invalid',
  // Not documented by Verizon (docs/thingspace-api.md, "Session" only says the contact record is locked): our choice.
  userLocked: 'UnifiedWebService.REQUEST_FAILED.User.Locked',
  requestUndefined: 'UnifiedWebService.INPUT_INVALID.RequestUndefined',
  // startCallbacks without an EnhancedConnectivityService registration is undocumented (docs/thingspace-api.md, "startCallbacks"): our choice.
  callbackNotRegistered: 'UnifiedWebService.REQUEST_FAILED.Callback.NotRegistered',
  callbackNotFound: 'UnifiedWebService.REQUEST_FAILED.Callback.NotFound',
  callbackInvalid: 'UnifiedWebService.INPUT_INVALID.Callback.Invalid',
  // POST /sms refusals: the codes are undocumented (docs/thingspace-api.md, "Sending SMS"): ours.
  smsInvalid: 'UnifiedWebService.INPUT_INVALID.SmsMessage.Invalid',
  smsTooLong: 'UnifiedWebService.INPUT_INVALID.SmsMessage.TooLong',
  encodingInvalid: 'UnifiedWebService.INPUT_INVALID.DataEncoding.Invalid',
  targetInvalid: 'UnifiedWebService.INPUT_INVALID.DeviceIds.Invalid',
} as const;

export function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.writableEnded) return;
  const body = reply.body ?? '';
  res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

export class BodyTooLarge extends Error {}

/** Reads the whole request body; refuses more than `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge(`request body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

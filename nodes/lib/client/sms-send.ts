// A 2xx without a requestId (docs/thingspace-api.md, "Sending SMS") means ThingSpace took the SMS
// but we cannot follow it: a bad response, never a reason to send again.
import type { SmsSendResponse } from '../types';
import { badResponse } from './classify';
import { isRecord } from './json-values';

/** Longest request id we keep; Verizon's are UUIDs. */
const MAX_REQUEST_ID_LENGTH = 256;

export function sendAnswer(body: unknown, status: number): SmsSendResponse {
  const id = isRecord(body) ? body.requestId : undefined;
  if (typeof id !== 'string' || id === '' || id.length > MAX_REQUEST_ID_LENGTH) {
    throw badResponse('sendSms', status, 'the answer has no requestId (ThingSpace accepted the SMS, but it cannot be followed)');
  }
  return { requestId: id };
}

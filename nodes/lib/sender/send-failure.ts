// What the flow is told when a send ends without a requestId; whether to check and send again is the flow's call.
import { ThingSpaceError } from '../client/errors';
import { isUncertain } from '../retry/send-retry-policy';

export interface SendFailure {
  code: string;
  message: string;
}

export function sendFailure(error: ThingSpaceError): SendFailure {
  const api = error.errorMessage && !error.message.includes(error.errorMessage) ? `: ${error.errorMessage}` : '';
  if (isUncertain(error)) {
    return {
      code: 'SEND_UNCERTAIN',
      message: `ThingSpace may or may not have queued this SMS (${error.message}); it was not sent again: check before sending it once more`,
    };
  }
  // A server error other than 503, or a 2xx we could not read: ThingSpace may have queued it.
  const maybeQueued = (error.kind === 'server' && error.status !== 503) || error.kind === 'bad_response';
  const note = maybeQueued ? ' (not sent again: ThingSpace may have queued it)' : '';
  return { code: error.code, message: `${error.message}${api}${note}` };
}

// The sms-out node, and the push-mode sms-queue-in beside it, as the node tests deploy them.
import { TAB, queue } from './runtime';

export function smsOut(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'so',
    type: 'sms-out',
    z: TAB,
    thingspace: 'cfg',
    targetType: 'msg',
    deviceKind: 'mdn',
    deviceId: '',
    groupName: '',
    servicePlan: '',
    encoding: '7-bit',
    timeToLive: '',
    concurrency: 4,
    queueLimit: 1000,
    keep: '_msgid,correlationId',
    outcomeTimeout: 86400,
    wires: [['out'], ['outcome']],
    ...extra,
  };
}

/** sms-queue-in in push mode (interval 0): the listener for callbacks and delivery notices. */
export function pushQueue(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return queue({ interval: '0', ...extra });
}

// The sms-out node as the node tests deploy it.
import { TAB } from './runtime';

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

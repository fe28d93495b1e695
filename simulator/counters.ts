// The counters tests assert on. `locked`, `queued` and `inFlightHistory` are live state,
// filled in when a snapshot is taken.
import type { SimulatorCounters } from './options';

export function emptyCounters(): SimulatorCounters {
  return {
    connections: 0,
    requests: {},
    tokensIssued: 0,
    loginsOk: 0,
    loginsFailed: 0,
    locked: false,
    historyBlocksServed: 0,
    messagesServed: 0,
    messagesAcked: 0,
    redeliveries: 0,
    tokensRefused: 0,
    tokensStale: 0,
    historyOverlaps: 0,
    maxConcurrentHistory: 0,
    inFlightHistory: 0,
    faultsInjected: {},
    callbacksPushed: 0,
    callbackFailures: 0,
    rejectedPaths: 0,
    enqueued: 0,
    queued: 0,
    smsAccepted: 0,
    smsRefused: 0,
    noticesPosted: 0,
    noticeFailures: 0,
    deviceReplies: 0,
  };
}

export function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

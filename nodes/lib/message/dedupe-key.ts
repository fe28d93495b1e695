// A re-delivered SMS is byte-identical (docs/thingspace-api.md, "History paging"); kinds compare
// case-insensitively ("Device ids").
import { hash } from 'node:crypto';
import type { SmsMessage } from '../types';

/** 16 hex characters. JSON keeps the fields apart, so no text can pose as another SMS's id or time. */
export function dedupeKey(sms: SmsMessage): string {
  const fields = sms.deviceIds.map(({ kind, id }) => [String(kind).toLowerCase(), String(id)]);
  const identity = JSON.stringify([fields, String(sms.timestamp), String(sms.message)]);
  // From the digest's bytes, not a slice of its hex: a slice would keep all 64 characters alive.
  return hash('sha256', identity, 'buffer').toString('hex', 0, 8);
}

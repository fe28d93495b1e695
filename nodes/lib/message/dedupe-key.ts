// A re-delivered SMS is byte-identical (docs/thingspace-api.md, "History paging"); kinds compare
// case-insensitively ("Device ids").
import { hash } from 'node:crypto';
import type { SmsMessage } from '../types';

const field = (s: string): string => `${s.length}:${s}`;

/** 16 hex characters. The id count and each field's length come first, so no text can pose
 *  as another SMS's id or time. */
export function dedupeKey(sms: SmsMessage): string {
  let identity = `${sms.deviceIds.length}:`;
  for (const { kind, id } of sms.deviceIds) identity += field(String(kind).toLowerCase()) + field(String(id));
  identity += field(String(sms.timestamp)) + String(sms.message);
  // From the digest's bytes, not a slice of its hex: a slice would keep all 64 characters alive.
  return hash('sha256', identity, 'buffer').toString('hex', 0, 8);
}

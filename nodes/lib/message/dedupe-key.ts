// The identity of an SMS for deduplication: same sending device ids, same text, same
// ThingSpace receive time (api §4.3 step 4: re-delivery of an unacknowledged block is the
// documented failure mode, and a re-delivered SMS is byte-identical).
import type { SmsMessage } from '../types';

/**
 * A 64-bit non-cryptographic hash of the SMS identity, as 16 hex characters.
 *
 * The canonical string lists the device ids in received order, each as lower-case kind
 * (api §4.4: kinds compare case-insensitively) and id, then the timestamp, then the text.
 * Every part is length-prefixed, so no choice of text can make two different SMS share a
 * canonical string.
 *
 * Two independent 32-bit hashes (FNV-1a and a murmur-style multiply/rotate, each run through
 * murmur3's finaliser) make the 64 bits. Nothing here resists an attacker, and nothing needs
 * to: the key only decides whether an SMS was already delivered. With a window of n keys a
 * new, different SMS collides with one of them with probability about n / 2^64; at the
 * default n = 10,000 that is 5e-16 per SMS, i.e. one false "duplicate" expected after some
 * 10^15 SMS, far beyond any queue this node will ever see.
 */
export function dedupeKey(sms: SmsMessage): string {
  let canonical = '';
  for (const d of sms.deviceIds) {
    const kind = String(d.kind).toLowerCase();
    const id = String(d.id);
    canonical += `${kind.length}:${kind}${id.length}:${id}`;
  }
  const timestamp = String(sms.timestamp);
  const text = String(sms.message);
  canonical += `|${timestamp.length}:${timestamp}${text.length}:${text}`;
  return hash64(canonical);
}

/** Two 32-bit hashes of the UTF-16 code units of `s`, as 16 hex characters. */
export function hash64(s: string): string {
  let a = 0x811c9dc5; // FNV-1a offset basis
  let b = 0x9747b28c ^ s.length; // murmur-style seed
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193); // FNV prime
    let k = Math.imul(c, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    b = Math.imul(b ^ Math.imul(k, 0x1b873593), 5) + 0xe6546b64;
    b = (b << 13) | (b >>> 19);
  }
  return hex8(fmix32(a)) + hex8(fmix32(b ^ s.length));
}

/** murmur3's finaliser: spreads every input bit over the whole word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

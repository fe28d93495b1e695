// The identity of an SMS for deduplication: same sending device ids, same text, same
// ThingSpace receive time (docs/thingspace-api.md, "History paging": re-delivery of an unacknowledged block is the
// documented failure mode, and a re-delivered SMS is byte-identical).
import type { SmsMessage } from '../types';

/**
 * A 64-bit non-cryptographic hash of the SMS identity, as 16 hex characters.
 *
 * The hash reads a stream of 32-bit words: for each device id its lower-cased kind (api
 * docs/thingspace-api.md, "Device ids": kinds compare case-insensitively) and its id, then the timestamp, then the text.
 * Each field goes in as its UTF-16 code units two to a word, followed by a word holding
 * its length, and the stream ends with the number of device ids. Read backwards, that
 * stream gives every field back, so no choice of text can make two different SMS feed the
 * same words. No string is built: a drain keys every SMS.
 *
 * Two different 32-bit rounds run over the same words, murmur3's (x86_32) and xxHash32's,
 * each closed by murmur3's finaliser; together they make the 64 bits. Nothing here resists
 * an attacker, and nothing needs to: the key only decides whether an SMS was already
 * delivered. With a window of n keys a new, different SMS collides with one of them with
 * probability about n / 2^64; at the default n = 10,000 that is 5e-16 per SMS, i.e. one
 * false "duplicate" expected after some 10^15 SMS, far beyond any queue this node will see.
 */
export function dedupeKey(sms: SmsMessage): string {
  lanes.a = 0x9747b28c;
  lanes.b = 0x165667b1;
  lanes.words = 0;
  const ids = sms.deviceIds;
  for (let i = 0; i < ids.length; i++) {
    const { kind, id } = ids[i];
    field(typeof kind === 'string' ? kind.toLowerCase() : String(kind).toLowerCase());
    field(typeof id === 'string' ? id : String(id));
  }
  field(typeof sms.timestamp === 'string' ? sms.timestamp : String(sms.timestamp));
  field(typeof sms.message === 'string' ? sms.message : String(sms.message));
  // The stream's last word: the number of device ids.
  const w = ids.length;
  const words = lanes.words + 1;
  return hex16(fmix32(murmurRound(lanes.a, w) ^ words), fmix32(xxRound(lanes.b, w) ^ words));
}

/** The two lanes between fields; one key at a time (nothing here awaits), so one shared object. */
const lanes = { a: 0, b: 0, words: 0 };

/**
 * One field into both lanes: its UTF-16 code units two to a word, then a word holding its
 * length. The lanes stay in locals for the whole field (a drain keys every SMS, and this
 * loop is most of what a key costs); the rounds are small pure functions the JIT inlines.
 */
function field(s: string): void {
  const n = s.length;
  let a = lanes.a;
  let b = lanes.b;
  for (let i = 0; ; i += 2) {
    // Two code units, the last one alone, then the length.
    const w = i + 1 < n ? s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16) : i < n ? s.charCodeAt(i) : n;
    a = murmurRound(a, w);
    b = xxRound(b, w);
    if (i >= n) break;
  }
  lanes.a = a;
  lanes.b = b;
  lanes.words += ((n + 1) >> 1) + 1;
}

/** murmur3 x86_32's body round: lane a after word w. */
function murmurRound(a: number, w: number): number {
  let k = Math.imul(w, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  a ^= Math.imul(k, 0x1b873593);
  a = (a << 13) | (a >>> 19);
  return (Math.imul(a, 5) + 0xe6546b64) | 0;
}

/** xxHash32's round: lane b after word w. */
function xxRound(b: number, w: number): number {
  b = (b + Math.imul(w, 0x85ebca77)) | 0;
  b = (b << 13) | (b >>> 19);
  return Math.imul(b, 0x9e3779b1);
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

const HEX = Array.from('0123456789abcdef', (ch) => ch.charCodeAt(0));

/** Both words as 16 lower-case hex characters, made as one flat string. */
function hex16(a: number, b: number): string {
  const d = HEX;
  return String.fromCharCode(
    d[a >>> 28], d[(a >>> 24) & 15], d[(a >>> 20) & 15], d[(a >>> 16) & 15], d[(a >>> 12) & 15], d[(a >>> 8) & 15], d[(a >>> 4) & 15], d[a & 15],
    d[b >>> 28], d[(b >>> 24) & 15], d[(b >>> 20) & 15], d[(b >>> 16) & 15], d[(b >>> 12) & 15], d[(b >>> 8) & 15], d[(b >>> 4) & 15], d[b & 15],
  );
}

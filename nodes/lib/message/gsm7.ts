// The GSM 03.38 default alphabet, which ThingSpace's `7-bit` encoding means (docs/thingspace-api.md,
// "Sending SMS"): 160 septets per SMS, where the characters of the extension table
// (^ { } \ [ ~ ] | €, form feed) take two, an escape and the character.

/** The basic table, in code order (0x1B, the escape, is not a character of its own). */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** The extension table: reached through the escape, two septets each. */
const EXTENSION = '\f^{}\\[~]|€';

const SEPTETS = new Map<string, 1 | 2>();
for (const c of BASIC) if (c !== '\u001b') SEPTETS.set(c, 1);
for (const c of EXTENSION) SEPTETS.set(c, 2);

/** Septets in one SMS (docs/thingspace-api.md, "Sending SMS"). */
export const GSM7_MAX_SEPTETS = 160;

export interface Gsm7Count {
  septets: number;
  /** The first character the alphabet lacks, with its position (1-based, in characters). */
  unsupported?: { char: string; position: number };
}

/** Septets `text` takes in GSM 7-bit, or the first character it cannot be written with. */
export function countGsm7(text: string): Gsm7Count {
  let septets = 0;
  let position = 0;
  // for...of walks code points: an emoji is one character, reported whole.
  for (const c of text) {
    position++;
    const n = SEPTETS.get(c);
    if (n === undefined) return { septets, unsupported: { char: c, position } };
    septets += n;
  }
  return { septets };
}

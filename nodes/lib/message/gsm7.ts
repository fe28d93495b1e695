// ThingSpace's `7-bit` is the GSM 03.38 default alphabet (docs/thingspace-api.md, "Sending SMS").

/** In code order; 0x1B is the escape, not a character. */
const BASIC = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' + '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** Two septets each: the escape and the character. */
const EXTENSION = '\f^{}\\[~]|€';

const SEPTETS = new Map<string, 1 | 2>();
for (const c of BASIC) if (c !== '\u001b') SEPTETS.set(c, 1);
for (const c of EXTENSION) SEPTETS.set(c, 2);

export const GSM7_MAX_SEPTETS = 160;

interface Gsm7Count {
  septets: number;
  /** 1-based, in characters. */
  unsupported?: { char: string; position: number };
}

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

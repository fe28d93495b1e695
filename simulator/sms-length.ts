// How much of one SMS a text takes, as ThingSpace checks it (docs/thingspace-api.md, "Sending
// SMS"): GSM 03.38 septets for 7-bit (the extension table counting two), bytes for 8-bit.
// The simulator's own table, written apart from the nodes' so one cannot hide the other's bug.

const GSM_BASIC = new Set(
  Array.from('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'),
);
const GSM_EXTENDED = new Set(Array.from('^{}\\[~]|€\f'));

/** Septets, or undefined when a character is not in the GSM alphabet. */
export function septets(text: string): number | undefined {
  let n = 0;
  for (const c of text) {
    if (GSM_BASIC.has(c)) n += 1;
    else if (GSM_EXTENDED.has(c)) n += 2;
    else return undefined;
  }
  return n;
}

/** Bytes of an 8-bit-ASCII text, or undefined when a character does not fit in one byte. */
export function latin1Bytes(text: string): number | undefined {
  for (const c of text) if ((c.codePointAt(0) ?? 0) > 0xff) return undefined;
  return text.length;
}

/** Bytes of 8-bit-DATA (base64 in smsMessage), or undefined when it is not base64. */
export function dataBytes(base64: string): number | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(base64)) return undefined;
  return Buffer.from(base64, 'base64').length;
}

// The `next` tokens of history answers, in the style the options ask for (docs/thingspace-api.md, "Open questions"
// 3). One sequence per simulator feeds every numeric style, so no two blocks get the same
// token even when the style changes at run time; the queue remembers which block each
// token was issued with.
import { randomBytes } from 'node:crypto';
import type { TokenStyle } from './options';

/** 2^53 + 1: the first integer a JavaScript number cannot hold. */
const INT64_BASE = 2n ** 53n + 1n;

export class TokenMint {
  private seq = 0;

  next(style: TokenStyle): string {
    switch (style) {
      case 'alnum':
        return `K${randomBytes(9)
          .toString('base64')
          .replace(/[^A-Za-z0-9]/g, 'z')}`;
      case 'integer':
        // Unpadded, as Verizon's older SDK (which types next as an integer) would send it back.
        return String(++this.seq);
      case 'int64':
        // Odd numbers only: above 2^53 a double holds none of them, so a client that parses
        // the token as a number sends an even one, which was never issued (400), rather than
        // the token of another block.
        return String(INT64_BASE + 2n * BigInt(this.seq++));
      case 'numeric':
      default:
        // Leading zeros catch a client that parses '0042' and sends 42.
        return String(++this.seq).padStart(4, '0');
    }
  }
}

// `_msgid`s for the messages sms-queue-in emits. Node-RED gives every message sent without
// one an id of 16 random hex characters (RED.util.generateId: eight Math.random() calls,
// eight toString(16), a join), about a third of a microsecond each; a drain sends a message
// per SMS, so that cost was per SMS. Here an id is 12 hex characters of randomness (48
// bits from crypto, drawn once per 65,536 ids) and a 4-hex-character running index: the
// same length and alphabet, unique within a node, and two nodes or runtimes share an id only
// if they drew the same 48 random bits. See docs/performance.md, "What the profile showed".
import { randomBytes } from 'node:crypto';

/** How many ids one draw of randomness serves: the index is four hex characters. */
const PER_DRAW = 0x10000;
const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export class MessageIds {
  private prefix = '';
  private next = PER_DRAW;

  /** A fresh id: 16 lower-case hex characters this node never handed out before. */
  id(): string {
    if (this.next === PER_DRAW) {
      this.prefix = randomBytes(6).toString('hex');
      this.next = 0;
    }
    const i = this.next++;
    return this.prefix + HEX2[i >>> 8] + HEX2[i & 0xff];
  }
}

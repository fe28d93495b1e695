// `_msgid`s for the messages of a block, made in one go. Node-RED gives every message sent
// without one an id of 16 random hex characters (RED.util.generateId: eight Math.random()
// calls, eight toString(16), a join), about a third of a microsecond each; a drain sends a
// message per SMS, so that cost is per SMS. Here one randomBytes call and one hex encoding
// serve a whole block: the same kind of id (64 random bits as 16 hex characters), a twentieth
// of the cost. Measured in docs/performance.md, "What the profile showed".
import { randomBytes } from 'node:crypto';

const ID_HEX = 16;

export class MessageIds {
  private hex = '';
  private next = 0;

  /** Makes room for `count` ids at once (a block's worth); ids beyond it are made anyway. */
  reserve(count: number): void {
    const left = (this.hex.length - this.next) / ID_HEX;
    if (left >= count) return;
    this.hex = randomBytes(count * (ID_HEX / 2)).toString('hex');
    this.next = 0;
  }

  /** A fresh id: 16 lower-case hex characters of randomness never handed out before. */
  id(): string {
    if (this.next >= this.hex.length) this.reserve(1);
    const id = this.hex.substr(this.next, ID_HEX);
    this.next += ID_HEX;
    return id;
  }
}

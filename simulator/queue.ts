// One account's SMS queue with history paging and acknowledgement (docs/thingspace-api.md, "History paging", open
// questions 1 and 2). Positions are absolute (count of SMS ever enqueued), so a `next`
// token names exactly the block it came with, and a stale token is recognised as such.
// Storage is a list of segments read from a head index: serving or acknowledging a block
// costs O(block), never O(queue), and a generated backlog is one small segment.
import type { SmsMessage } from '../nodes/lib/types';
import type { FinalBlockMode } from './options';
import { generatedSms } from './sms-factory';

interface Segment {
  readonly length: number;
  at(i: number): SmsMessage;
}

/** SMS enqueued one by one; appended to while below this size. */
const LITERAL_SEGMENT_MAX = 8192;

class LiteralSegment implements Segment {
  readonly items: SmsMessage[] = [];
  get length(): number {
    return this.items.length;
  }
  at(i: number): SmsMessage {
    return this.items[i];
  }
}

/** A generated backlog: a few numbers; each SMS is materialised when its block is served. */
class GeneratedSegment implements Segment {
  constructor(
    private readonly firstSerial: number,
    readonly length: number,
    private readonly devices: number,
    private readonly t0: number,
    private readonly stepMs: number,
  ) {}
  at(i: number): SmsMessage {
    return generatedSms(this.firstSerial + i, this.devices, this.t0 + i * this.stepMs);
  }
}

interface Range {
  start: number;
  end: number;
}

export type AckResult = 'acked' | 'stale' | 'unknown';

export interface ServedBlock {
  messages: SmsMessage[];
  /** More SMS remain after this block: the answer is 202 with a `next` token. */
  more: boolean;
  token?: string;
  /** Some of these SMS were served before. */
  redelivered: boolean;
  /** SMS acknowledged by serving this block (final block in 'ack-on-delivery' mode). */
  ackedOnDelivery: number;
}

/** Used tokens are remembered (to tell stale from garbage) up to this many per account. */
const MAX_TOKENS = 10_000;

export class SmsQueue {
  private segments: (Segment | undefined)[] = [];
  private segHead = 0;
  private offset = 0;
  private ackedPos = 0;
  private tailPos = 0;
  private servedUpTo = 0;
  private lastServed?: Range;
  private readonly tokens = new Map<string, Range>();

  /** History requests being answered right now, and the most seen at once. */
  inFlight = 0;
  maxInFlight = 0;

  get size(): number {
    return this.tailPos - this.ackedPos;
  }

  /** Absolute position of the oldest unacknowledged SMS. */
  get head(): number {
    return this.ackedPos;
  }

  push(sms: SmsMessage): void {
    let last = this.segments[this.segments.length - 1];
    if (!(last instanceof LiteralSegment) || last.length >= LITERAL_SEGMENT_MAX) {
      last = new LiteralSegment();
      this.segments.push(last);
    }
    (last as LiteralSegment).items.push(sms);
    this.tailPos++;
  }

  pushGenerated(firstSerial: number, count: number, devices: number, t0: number, stepMs: number): void {
    if (count <= 0) return;
    this.segments.push(new GeneratedSegment(firstSerial, count, devices, t0, stepMs));
    this.tailPos += count;
  }

  /** Up to `n` SMS from the head, without acknowledging them. */
  peek(n: number): SmsMessage[] {
    const out: SmsMessage[] = [];
    let seg = this.segHead;
    let i = this.offset;
    while (out.length < n && seg < this.segments.length) {
      const s = this.segments[seg] as Segment;
      if (i >= s.length) {
        seg++;
        i = 0;
        continue;
      }
      out.push(s.at(i++));
    }
    return out;
  }

  /** Acknowledges whatever part of `range` is still queued; returns how many SMS that removed. */
  ackRange(range: Range): number {
    if (range.start > this.ackedPos || range.end <= this.ackedPos) return 0;
    const n = Math.min(range.end, this.tailPos) - this.ackedPos;
    this.drop(n);
    return n;
  }

  /** A `next` token acknowledges the block it was issued with; a used one is a harmless no-op. */
  ackToken(token: string): { result: AckResult; acked: number } {
    const range = this.tokens.get(token);
    if (!range) return { result: 'unknown', acked: 0 };
    const acked = this.ackRange(range);
    return { result: acked > 0 ? 'acked' : 'stale', acked };
  }

  /** withoutNext 'consume': a call without `next` counts the block served last as received. */
  consumeLastServed(): number {
    const range = this.lastServed;
    this.lastServed = undefined;
    return range ? this.ackRange(range) : 0;
  }

  /** Serves the oldest unacknowledged block. */
  serve(blockSize: number, finalBlock: FinalBlockMode, newToken: () => string): ServedBlock {
    const start = this.ackedPos;
    const messages = this.peek(blockSize);
    const end = start + messages.length;
    const more = end < this.tailPos;
    const block: ServedBlock = { messages, more, redelivered: messages.length > 0 && start < this.servedUpTo, ackedOnDelivery: 0 };
    if (messages.length === 0) return block;
    this.servedUpTo = Math.max(this.servedUpTo, end);
    const range = { start, end };
    this.lastServed = range;
    if (more) {
      block.token = newToken();
      this.tokens.set(block.token, range);
      if (this.tokens.size > MAX_TOKENS) this.tokens.delete(this.tokens.keys().next().value as string);
    } else if (finalBlock === 'ack-on-delivery') {
      block.ackedOnDelivery = this.ackRange(range);
    }
    return block;
  }

  private drop(n: number): void {
    let k = n;
    while (k > 0 && this.segHead < this.segments.length) {
      const seg = this.segments[this.segHead] as Segment;
      const avail = seg.length - this.offset;
      if (k < avail) {
        this.offset += k;
        k = 0;
      } else {
        k -= avail;
        this.segments[this.segHead++] = undefined;
        this.offset = 0;
      }
    }
    this.ackedPos += n;
    if (this.segHead >= 1024) {
      this.segments = this.segments.slice(this.segHead);
      this.segHead = 0;
    }
  }
}

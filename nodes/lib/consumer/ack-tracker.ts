// The ids and refs that name emitted SMS; in manual mode, which the flow has acknowledged, and the wait for a
// block. A few older blocks and pushed SMS are kept, bounded, so a late ack still counts.
import { randomBytes } from 'node:crypto';
import type { SmsMessage } from '../types';
import type { AckRef, ConsumerBlock, ConsumerItem } from './types';

export const CALLBACK_BLOCK = 'callback';
const MAX_BLOCKS = 16;
const MAX_CALLBACKS = 10_000;

export class AckTracker {
  /** `open`: keys not acknowledged yet; an ack of one copy of an SMS settles its other copies. */
  private readonly blocks = new Map<string, { items: ConsumerItem[]; open: Set<string> }>();
  private readonly callbacks = new Map<number, ConsumerItem>();
  private callbackSeq = 0;
  /** Block ids are unique across instances: a ref from before a restart never matches. */
  private readonly blockPrefix = randomBytes(4).toString('hex');
  private blockSeq = 0;
  private wait: { blockId: string; done: (all: boolean) => void } | undefined;

  block(sms: Array<{ key: string; sms: SmsMessage }>, final: boolean, restored: boolean): ConsumerBlock {
    const id = `${this.blockPrefix}-${(++this.blockSeq).toString(36)}`;
    return { id, final, restored, items: sms.map(({ key, sms }, index) => ({ sms, key, ref: { block: id, index } })) };
  }

  /** Start tracking an emitted block (call before emitting: listeners may ack at once). */
  track(block: ConsumerBlock): void {
    this.blocks.set(block.id, { items: block.items, open: new Set(block.items.map((item) => item.key)) });
    if (this.blocks.size > MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value as string);
  }

  callback(sms: SmsMessage, key: string, track: boolean): ConsumerItem {
    const item = { sms, key, ref: { block: CALLBACK_BLOCK, index: this.callbackSeq++ } };
    if (track) this.callbacks.set(item.ref.index, item);
    if (this.callbacks.size > MAX_CALLBACKS) this.callbacks.delete(this.callbacks.keys().next().value as number);
    return item;
  }

  /** The items of a block not acknowledged yet; none if it is not tracked. */
  unacked(blockId: string): ConsumerItem[] {
    const t = this.blocks.get(blockId);
    return t ? t.items.filter((item) => t.open.has(item.key)) : [];
  }

  /** The items this ack newly settles, or undefined if the ref is unknown or already acked. */
  ack(ref: AckRef): ConsumerItem[] | undefined {
    if (ref.block === CALLBACK_BLOCK) {
      const item = this.callbacks.get(ref.index);
      this.callbacks.delete(ref.index);
      return item && [item];
    }
    const t = this.blocks.get(ref.block);
    const one = t?.items[ref.index];
    const settled = ref.index === -1 ? this.unacked(ref.block) : one && t!.open.has(one.key) ? [one] : [];
    if (settled.length === 0) return undefined;
    for (const item of settled) for (const block of this.blocks.values()) block.open.delete(item.key);
    if (this.wait && !this.blocks.get(this.wait.blockId)?.open.size) this.wait.done(true);
    return settled;
  }

  /** True once the flow acknowledged every SMS of the block; false after `timeoutMs` (<= 0: never) or endWait(). */
  waitFor(blockId: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (all: boolean): void => {
        if (timer) clearTimeout(timer);
        this.wait = undefined;
        resolve(all);
      };
      if (timeoutMs > 0) timer = setTimeout(() => done(false), timeoutMs);
      this.wait = { blockId, done };
    });
  }

  endWait(): void {
    this.wait?.done(false);
  }
}

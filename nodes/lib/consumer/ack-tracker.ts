// Manual mode: which emitted SMS the flow has acknowledged, and the wait for a whole block.
// A few older blocks (emitted again after a timeout) and pushed SMS are kept too, so a late ack
// still counts; both bounded: a forgotten entry only means the SMS may come again.
import type { AckRef, ConsumerBlock, ConsumerItem } from './types';

export const CALLBACK_BLOCK = 'callback';
const MAX_BLOCKS = 16;
const MAX_CALLBACKS = 10_000;

interface Tracked {
  items: ConsumerItem[];
  acked: Uint8Array;
  remaining: number;
  /** key -> indices; lets an ack of one copy of an SMS settle its other copies. */
  byKey: Map<string, number[]>;
}

export class AckTracker {
  private readonly blocks = new Map<string, Tracked>();
  private readonly callbacks = new Map<number, ConsumerItem>();
  private callbackSeq = 0;
  private wait: { blockId: string; done: (all: boolean) => void } | undefined;

  /** Start tracking an emitted block (call before emitting: listeners may ack at once). */
  track(block: ConsumerBlock): void {
    const byKey = new Map<string, number[]>();
    block.items.forEach((item, i) => {
      const at = byKey.get(item.key);
      if (at) at.push(i);
      else byKey.set(item.key, [i]);
    });
    this.blocks.set(block.id, { items: block.items, acked: new Uint8Array(block.items.length), remaining: block.items.length, byKey });
    if (this.blocks.size > MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value as string);
  }

  /** A ref for a pushed SMS: block 'callback' and a running index. */
  callbackRef(): AckRef {
    return { block: CALLBACK_BLOCK, index: this.callbackSeq++ };
  }

  trackCallback(tracked: ConsumerItem): void {
    this.callbacks.set(tracked.ref.index, tracked);
    if (this.callbacks.size > MAX_CALLBACKS) this.callbacks.delete(this.callbacks.keys().next().value as number);
  }

  /** Unacknowledged items left in a block; 0 if it is not tracked. */
  remaining(blockId: string): number {
    return this.blocks.get(blockId)?.remaining ?? 0;
  }

  unacked(blockId: string): ConsumerItem[] {
    const t = this.blocks.get(blockId);
    return t ? t.items.filter((_, i) => !t.acked[i]) : [];
  }

  /** The items this ack newly settles, or undefined if the ref is unknown or already acked. */
  ack(ref: AckRef): ConsumerItem[] | undefined {
    if (ref.block === CALLBACK_BLOCK) {
      const item = this.callbacks.get(ref.index);
      if (!item) return undefined;
      this.callbacks.delete(ref.index);
      return [item];
    }
    const t = this.blocks.get(ref.block);
    if (!t) return undefined;
    let settled: ConsumerItem[];
    if (ref.index === -1) {
      settled = t.items.filter((_, i) => !t.acked[i]);
    } else {
      if (!Number.isInteger(ref.index) || ref.index < 0 || ref.index >= t.items.length || t.acked[ref.index]) return undefined;
      settled = [t.items[ref.index]];
    }
    if (settled.length === 0) return undefined;
    for (const item of settled) this.settle(item.key);
    if (this.wait && this.remaining(this.wait.blockId) === 0) this.wait.done(true);
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

  /** Mark every tracked copy of this SMS as acknowledged (duplicates count as acked). */
  settle(key: string): void {
    for (const t of this.blocks.values()) {
      const at = t.byKey.get(key);
      if (!at) continue;
      for (const i of at) {
        if (t.acked[i]) continue;
        t.acked[i] = 1;
        t.remaining--;
      }
    }
  }
}

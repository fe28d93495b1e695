// What a queue consumer emitted, and the SMS the consumer tests feed it: shared by the unit
// tier (a fake in-memory API) and the integration tier (the simulator over HTTP).
import type { QueueConsumer } from '../../nodes/lib/consumer/queue-consumer';
import type { ConsumerBlock, ConsumerState, Phase } from '../../nodes/lib/consumer/types';
import type { ThingSpaceError } from '../../nodes/lib/client/errors';
import type { SmsMessage } from '../../nodes/lib/types';

/** Everything one consumer emitted, in order. */
export class Recorder {
  readonly blocks: ConsumerBlock[] = [];
  readonly states: ConsumerState[] = [];
  readonly errors: ThingSpaceError[] = [];
  duplicates = 0;
  stopped = 0;

  constructor(readonly consumer: QueueConsumer) {
    consumer.on('block', (b) => this.blocks.push(b));
    consumer.on('state', (s) => this.states.push(s));
    consumer.on('error', (e) => this.errors.push(e));
    consumer.on('duplicates', (n) => (this.duplicates += n));
    consumer.on('stopped', () => this.stopped++);
  }

  get sms(): SmsMessage[] {
    return this.blocks.flatMap((b) => b.items.map((i) => i.sms));
  }

  get texts(): string[] {
    return this.sms.map((s) => s.message);
  }

  saw(phase: Phase): boolean {
    return this.states.some((s) => s.phase === phase);
  }
}

export function sms(n: number, device = 1): SmsMessage {
  return {
    deviceIds: [
      { kind: 'mdn', id: String(15551230000 + device) },
      { kind: 'imei', id: String(356938035600000 + device) },
    ],
    message: `reading ${n}`,
    timestamp: new Date(Date.UTC(2024, 4, 2, 9, 0, n)).toISOString(),
  };
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

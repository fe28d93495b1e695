// Simulated devices: `count` devices, each sending an SMS every `everySec` seconds,
// spread evenly over the period so the queue fills at a steady rate.
import type { SmsMessage } from '../nodes/lib/types';
import { deviceIds, isoTimestamp, sensorText } from './sms-factory';

export class DeviceFleet {
  private timer?: NodeJS.Timeout;
  private sent = 0;
  private startedAt = 0;
  private readonly seq: number[] = [];

  constructor(private readonly emit: (sms: SmsMessage) => void) {}

  start(count: number, everySec: number): void {
    this.stop();
    if (count <= 0) return;
    this.sent = 0;
    this.startedAt = Date.now();
    while (this.seq.length < count) this.seq.push(0);
    const periodMs = everySec * 1000;
    // One timer for the fleet; each tick sends what is due, however many devices there are.
    const tickMs = Math.max(20, Math.min(1000, periodMs / count));
    this.timer = setInterval(() => {
      const due = Math.floor(((Date.now() - this.startedAt) / periodMs) * count);
      while (this.sent < due) {
        const device = this.sent % count;
        this.sent++;
        const seq = ++this.seq[device];
        this.emit({ deviceIds: deviceIds(device), message: sensorText(device, seq), timestamp: isoTimestamp(Date.now()) });
      }
    }, tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

// SMS with texts the test knows, so it can re-enqueue exactly what a killed simulator held.
import type { SmsMessage } from '../../../../simulator/options';
import type { SimulatorProcess } from '../../harness';

export function knownSms(prefix: string, n: number): SmsMessage[] {
  const base = Date.parse('2024-05-02T16:00:00.000Z');
  return Array.from({ length: n }, (_, i) => ({
    deviceIds: [{ kind: 'mdn', id: `1555123${String(i % 100).padStart(4, '0')}` }],
    message: `${prefix} n=${i}`,
    timestamp: new Date(base + i * 1000).toISOString(),
  }));
}

/** The control interface takes arrays; chunks keep each body small. */
export async function enqueueAll(sim: SimulatorProcess, list: SmsMessage[], chunk = 500): Promise<void> {
  for (let i = 0; i < list.length; i += chunk) await sim.enqueue(list.slice(i, i + chunk));
}

// The simulator in its own process over HTTPS, with a certificate from a throwaway test CA
// whose certificate is also written to a file, for Node-RED's NODE_EXTRA_CA_CERTS.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimulatorProcess } from '../test/e2e/harness';
import { makeTestCa } from '../test/support/test-ca';

export interface TlsSimulator {
  sim: SimulatorProcess;
  /** The CA's certificate (PEM), and a file holding it. */
  ca: string;
  caFile: string;
  /** Stops the simulator and removes the CA and its files. */
  stop(): Promise<void>;
}

/** `args` are CLI flags, e.g. ['--latency', '20']. */
export async function startTlsSimulator(args: string[] = []): Promise<TlsSimulator> {
  const testCa = makeTestCa();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thingspace-bench-tls-'));
  const remove = (): void => {
    testCa.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const file = (name: string, text: string): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text, { mode: 0o600 });
    return p;
  };
  try {
    const caFile = file('ca.pem', testCa.ca);
    const tls = ['--tls-key', file('server.key', testCa.server.key), '--tls-cert', file('server.pem', testCa.server.cert)];
    const sim = await SimulatorProcess.start([...tls, ...args], { ca: testCa.ca });
    return {
      sim,
      ca: testCa.ca,
      caFile,
      stop: async () => {
        await sim.stop();
        remove();
      },
    };
  } catch (e) {
    remove();
    throw e;
  }
}

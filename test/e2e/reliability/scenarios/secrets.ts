// Secrets: the client secret and both passwords (UWS and callback), plain and base64, and the
// base64 of clientId:clientSecret (the Basic header), must appear 0 times in what a user or
// an attacker can see: the log (trace level, in every scenario of this run), statuses, Catch
// errors, debug messages (debug nodes print to the log), context files, the exported flow,
// flows_cred.json and the "Test connection" answers. This scenario adds its own run that
// touches every path a secret travels: token and login with expiries and faults, callback
// registration with credentials, pushed bodies carrying them, forged and broken bodies, a
// wrong password, and the Test connection endpoint.
import fs from 'node:fs';
import path from 'node:path';
import type { NodeRed, SimulatorProcess } from '../../harness';
import { TAB, countingSink, queueNode, readSink, sinkEndpoint, tab } from '../../harness';
import { SENTINEL_REDIS_PASSWORD } from './sentinel';
import { CALLBACK_CREDS, CREDS, evidence, seedArgs, startRed, relUserDir, startSim, stopAll, post } from '../support/env';
import { endpoints, observers, readCollected, relConfig } from '../support/flows';
import { Figures } from '../support/results';
import { until } from '../support/wait';
import { callbackBody } from './push';

type N = Record<string, unknown>;

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

function needles(): Array<[string, string]> {
  const list: Array<[string, string]> = [];
  for (const [name, value] of [
    ['client secret', CREDS.clientSecret],
    ['password', CREDS.password],
    ['callback password', CALLBACK_CREDS.callbackPassword],
    ['Sentinel set Redis password', SENTINEL_REDIS_PASSWORD],
  ] as const) {
    list.push([name, value], [`${name} (base64)`, b64(value)]);
  }
  list.push(['clientId:clientSecret (base64)', b64(`${CREDS.clientId}:${CREDS.clientSecret}`)]);
  list.push(['username:password (base64)', b64(`${CREDS.username}:${CREDS.password}`)]);
  return list;
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath ?? (d as unknown as { path: string }).path, d.name));
}

function secretsFlow(server: string, pushUrl: string, q: N): N[] {
  return [
    tab(),
    relConfig(server, CALLBACK_CREDS),
    { id: 'rel-push-in', type: 'http in', z: TAB, name: '', url: '/rel/push', method: 'post', upload: false, swaggerDoc: '', wires: [['e2e-q']] },
    queueNode(['e2e-count', 'rel-debug'], q),
    countingSink('e2e-count', ['rel-push-out']),
    { id: 'rel-push-out', type: 'http response', z: TAB, name: '', statusCode: '200', headers: {}, wires: [] },
    {
      id: 'rel-debug',
      type: 'debug',
      z: TAB,
      name: 'all',
      active: true,
      tosidebar: true,
      console: true,
      tostatus: true,
      complete: 'true',
      targetType: 'full',
      statusVal: 'payload',
      statusType: 'auto',
      wires: [],
    },
    { id: 'rel-sc', type: 'start-callbacks', z: TAB, name: '', thingspace: 'e2e-cfg', callbackUrl: pushUrl, onDeploy: true, wires: [['rel-debug-sc']] },
    {
      id: 'rel-debug-sc',
      type: 'debug',
      z: TAB,
      name: 'start',
      active: true,
      tosidebar: true,
      console: true,
      tostatus: false,
      complete: 'true',
      targetType: 'full',
      statusVal: '',
      statusType: 'auto',
      wires: [],
    },
    ...sinkEndpoint(),
    ...observers(),
    ...endpoints(),
  ];
}

export function secretsScenario(): void {
  describe('secrets', function () {
    this.timeout(0);
    let sim: SimulatorProcess | undefined;
    let red: NodeRed | undefined;
    after(async () => stopAll(red, sim));

    it('appear nowhere a user or an attacker can read, in this run and every scenario before it', async () => {
      const f = new Figures('secrets');
      sim = await startSim(['--final-block', 'ack-on-delivery', '--generate', '300', ...seedArgs(f.seed('secrets'))]);
      const dir = relUserDir('secrets', 'file-nocache');
      red = await startRed(dir);
      const r = red;
      const s = sim;
      const pushUrl = `${r.url}/rel/push`;
      const seen: Array<[string, string]> = [];

      // 1. Poll a drain through faults and token/session expiries (re-auth at every step).
      await s.fault([
        { kind: 'server-error', probability: 0.1 },
        { kind: 'expire-bearer', count: 1 },
        { kind: 'expire-session', count: 1 },
        { kind: 'reset', endpoint: 'login', count: 1 },
      ]);
      await r.deploy(secretsFlow(s.url, pushUrl, { interval: '1' }).map((n) => (n.type === 'start-callbacks' ? { ...n, onDeploy: false } : n)));
      await until(async () => (await readSink(r)).count >= 300, 60_000, 200);
      await s.clearFaults();

      // 2. Push mode: register the listener with the callback credentials, let the simulator push.
      await s.generate(50);
      await r.deploy(secretsFlow(s.url, pushUrl, { interval: '0' }));
      await until(async () => (await s.counters()).callbacksPushed >= 50, 30_000, 200);
      // Forged, and broken but carrying the real credentials (Catch shows the body, masked).
      const good = { username: CALLBACK_CREDS.callbackUsername, password: CALLBACK_CREDS.callbackPassword };
      for (const b of [
        callbackBody(1, { username: good.username, password: 'nope' }),
        { ...good, deviceIds: 'broken', smsResponse: { message: 7 } },
        { SmsCallbackRequest: { Username: good.username, Password: good.password, Device: 'x', SmsMessage: 5 } },
      ]) {
        seen.push(['forged/broken push answer', (await post(pushUrl, JSON.stringify(b))).body]);
      }

      // 3. Test connection, with the saved credentials and with a wrong password typed in.
      for (const creds of [{}, { password: 'typed-wrong', clientSecret: '__PWRD__' }]) {
        const res = await r.api('POST', '/thingspace-config/e2e-cfg/test', { accountName: '0000123456-00001', server: s.url, credentials: creds });
        seen.push(['test connection answer', await res.text()]);
      }

      // 4. A wrong password deployed: the rejection goes to statuses, Catch and the log.
      const failedBefore = (await s.counters()).loginsFailed;
      await r.deploy(
        secretsFlow(s.url, pushUrl, { interval: '1' }).map((n) =>
          n.type === 'thingspace-config' ? { ...n, credentials: { ...CREDS, ...CALLBACK_CREDS, password: 'wrong-password' } } : n,
        ),
      );
      const rejected = async (): Promise<boolean> =>
        (await readCollected(r, 'errors')).some((e) => (e.code ?? '').includes('Password.Invalid') || e.code === 'CREDENTIALS_REJECTED');
      await until(async () => (await s.counters()).loginsFailed > failedBefore && (await rejected()), 30_000, 200);
      const okBefore = (await s.counters()).loginsOk;
      await r.deploy(secretsFlow(s.url, pushUrl, { interval: '1' }));
      await until(async () => (await s.counters()).loginsOk > okBefore, 30_000, 200);

      // Everything readable: collected statuses and errors, the export, the files.
      seen.push(['statuses', JSON.stringify(await readCollected(r, 'statuses'))]);
      seen.push(['Catch errors', JSON.stringify(await readCollected(r, 'errors'))]);
      seen.push(['exported flow (GET /flows)', await (await r.api('GET', '/flows')).text()]);
      seen.push(['exported flow (GET /flows v2)', await (await r.api('GET', '/flows', undefined, { 'Node-RED-API-Version': 'v2' })).text()]);
      seen.push(['config node (GET /nodes)', await (await r.api('GET', '/nodes', undefined, { Accept: 'application/json' })).text()]);
      seen.push(['credentials (GET /credentials/thingspace-config/e2e-cfg)', await (await r.api('GET', '/credentials/thingspace-config/e2e-cfg')).text()]);
      await r.stop();
      let logBytes = 0;
      let debugLines = 0;
      for (const e of evidence) {
        const log = e.logs.join('\n');
        logBytes += log.length;
        debugLines += (log.match(/\[debug:/g) ?? []).length;
        seen.push([`log (${e.name})`, log]);
        for (const file of filesUnder(path.join(e.userDir, 'context'))) seen.push([`context file (${e.name})`, fs.readFileSync(file, 'utf8')]);
        for (const name of ['flows.json', 'flows_cred.json', '.flows.json.backup', '.flows_cred.json.backup']) {
          const file = path.join(e.userDir, name);
          if (fs.existsSync(file)) seen.push([`${name} (${e.name})`, fs.readFileSync(file, 'utf8')]);
        }
      }

      const hits: string[] = [];
      let total = 0;
      for (const [where, text] of seen) {
        for (const [what, value] of needles()) {
          const count = text.split(value).length - 1;
          if (count > 0) {
            hits.push(`${what} x${count} in ${where}`);
            // Where, for whoever fixes it: the surroundings, the secret itself masked.
            const at = text.indexOf(value);
            console.log(
              `        ${what} in ${where}: ...${text
                .slice(Math.max(0, at - 300), at + value.length + 100)
                .split(value)
                .join('<SECRET>')}...`,
            );
          }
          total += count;
        }
      }
      const contextFiles = seen.filter(([w]) => w.startsWith('context file')).length;
      f.info(
        `scanned ${seen.length} sources: ${evidence.length} Node-RED user dirs, ${(logBytes / 2 ** 20).toFixed(1)} MB of trace logs with ${debugLines} debug messages, ${contextFiles} context files`,
      );
      f.check(`secret occurrences ${total}${hits.length ? `: ${hits.join('; ')}` : ''}`, '0 (plain and base64)', total === 0);
      f.check(
        `debug messages printed to the log ${debugLines}, pushed SMS ${(await s.counters()).callbacksPushed}`,
        'the paths were exercised (> 0 each)',
        debugLines > 0,
      );
      f.assertAll();
    });
  });
}

// Metrics and health in Node-RED started from the packed tarball with the editor and admin API
// off (httpAdminRoot: false), the flows written to its user dir: Debian's Prometheus server
// scrapes it during a drain, a push and sends, and what Prometheus read matches the
// simulator's own counts. An exporter on prom-client's default registry runs beside it.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  ACCOUNT,
  NodeRed,
  ROOT,
  SIM_CREDENTIALS,
  SimulatorProcess,
  TAB,
  configNode,
  e2ePath,
  freePort,
  installedTemplate,
  makeUserDir,
  queueNode,
  tab,
  waitFor,
} from './harness';
import { nodeRed5 } from './compat/node-red-5';

const PROMETHEUS = '/usr/bin/prometheus';
const METRICS = '/thingspace/metrics';
const HEALTH = '/thingspace/health';

/** A stand-in for node-red-contrib-prometheus-exporter (not on the npm registry this project
 *  reaches): a Node-RED module that serves prom-client's default registry on GET /metrics,
 *  with a metric of its own and Node's default metrics, as such exporters do. */
function installExporterStandIn(userDir: string): void {
  const dir = path.join(userDir, 'node_modules', 'e2e-prometheus-exporter');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'e2e-prometheus-exporter', version: '1.0.0', 'node-red': { nodes: { exporter: 'exporter.js' } } }),
  );
  fs.writeFileSync(
    path.join(dir, 'exporter.js'),
    `const client = require('prom-client');
module.exports = function (RED) {
  client.collectDefaultMetrics();
  new client.Counter({ name: 'e2e_exporter_scrapes_total', help: 'scrapes' });
  RED.httpNode.get('/metrics', async (req, res) => {
    client.register.getSingleMetric('e2e_exporter_scrapes_total').inc();
    res.set('Content-Type', client.register.contentType);
    res.end(await client.register.metrics());
  });
};
`,
  );
  const pkg = path.join(userDir, 'package.json');
  const json = JSON.parse(fs.readFileSync(pkg, 'utf8')) as { dependencies?: Record<string, string> };
  fs.writeFileSync(pkg, JSON.stringify({ ...json, dependencies: { ...json.dependencies, 'e2e-prometheus-exporter': '1.0.0' } }));
}

/** sms-out as the editor saves it. */
function smsOutNode(id: string): Record<string, unknown> {
  return {
    id,
    type: 'sms-out',
    z: TAB,
    thingspace: 'e2e-cfg',
    targetType: 'msg',
    deviceKind: 'mdn',
    deviceId: '',
    groupName: '',
    servicePlan: '',
    encoding: '7-bit',
    timeToLive: '',
    concurrency: 4,
    queueLimit: 1000,
    keep: '_msgid',
    outcomeTimeout: 86400,
    wires: [[], []],
  };
}

class Prometheus {
  private constructor(
    readonly proc: ChildProcess,
    readonly url: string,
  ) {}

  static async start(dir: string, target: string): Promise<Prometheus> {
    const port = await freePort();
    const job = (name: string, p: string): string => `  - job_name: ${name}\n    metrics_path: ${p}\n    static_configs:\n      - targets: ['${target}']\n`;
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n${job('thingspace', METRICS)}${job('exporter', '/metrics')}`,
    );
    const proc = spawn(
      PROMETHEUS,
      [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      { stdio: 'ignore' },
    );
    const p = new Prometheus(proc, `http://127.0.0.1:${port}`);
    await waitFor(async () => (await fetch(`${p.url}/-/ready`)).ok, 30_000, 'Prometheus to be ready');
    return p;
  }

  /** The value of an instant query with one series, or undefined. */
  async value(query: string): Promise<number | undefined> {
    const res = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(query)}`);
    const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
    return body.data.result.length === 1 ? Number(body.data.result[0].value[1]) : undefined;
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    await exited;
  }
}

describe('metrics and health with the editor off (Node-RED from the packed tarball)', function () {
  this.timeout(240_000);
  let sim: SimulatorProcess;
  let red: NodeRed;
  let prometheus: Prometheus | undefined;

  before(async () => {
    sim = await SimulatorProcess.start(['--final-block', 'ack-on-delivery', '--latency', '20']);
    const userDir = makeUserDir({
      name: 'operations',
      template: installedTemplate(),
      // No admin API to deploy through: the flows are in the user dir, the credentials in plain text.
      settings: { httpAdminRoot: false, credentialSecret: false, thingspaceSms: { metricsPath: METRICS, healthPath: HEALTH } },
    });
    installExporterStandIn(userDir);
    const cfg = configNode(sim.url);
    delete cfg.credentials;
    const flows = [
      tab(),
      cfg,
      queueNode([], { listen: '/thingspace/sms' }),
      {
        id: 'e2e-send',
        type: 'inject',
        z: TAB,
        once: true,
        onceDelay: 0.5,
        repeat: '',
        topic: '',
        payload: '',
        payloadType: 'date',
        props: [],
        wires: [['e2e-burst']],
      },
      {
        id: 'e2e-burst',
        type: 'function',
        z: TAB,
        func: `for (let i = 0; i < 25; i++) node.send({ payload: 'e2e ' + i, deviceIds: [{ kind: 'mdn', id: '15551230001' }] });\nreturn null;`,
        outputs: 1,
        wires: [['e2e-out']],
      },
      smsOutNode('e2e-out'),
    ];
    fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flows));
    fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify({ 'e2e-cfg': SIM_CREDENTIALS }));
    red = await NodeRed.start(userDir, { readyPath: HEALTH });
  });

  after(async () => {
    await prometheus?.stop();
    await red?.stop();
    await sim?.stop();
  });

  it('answers health with the admin API off: 200 and the account reading', async () => {
    assert.equal((await fetch(`${red.url}/settings`)).status, 404, 'no admin API');
    let body: { status: string; accounts: Array<{ account: string; state: string; lastSuccess?: string }> } | undefined;
    await waitFor(
      async () => {
        const res = await fetch(red.url + HEALTH);
        body = (await res.json()) as typeof body;
        return res.status === 200 && body!.accounts[0]?.state === 'reading' && body!.accounts[0].lastSuccess !== undefined;
      },
      30_000,
      'health 200, reading',
    );
    assert.equal(body!.accounts[0].account, `${ACCOUNT}@${new URL(sim.url).host}`);
    // The README's Docker HEALTHCHECK, as written but for the port.
    const check = /^HEALTHCHECK CMD (.+)$/m.exec(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'))![1].replace(':1880', `:${red.port}`);
    execFileSync('sh', ['-c', check], { timeout: 10_000 });
  });

  it('Prometheus scrapes the drain, a push and sends: its counters match the simulator; the exporter beside serves both sets', async function () {
    if (!fs.existsSync(PROMETHEUS)) {
      console.log(`      skipped: ${PROMETHEUS} is absent (Debian's prometheus package; .ci/run installs it)`);
      this.skip();
    }
    const dir = e2ePath('prometheus');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    prometheus = await Prometheus.start(dir, `127.0.0.1:${red.port}`);
    // The drain runs while Prometheus scrapes every second (20 ms per request: a few seconds).
    await sim.generate(3000);
    await waitFor(async () => (await prometheus!.value('up{job="thingspace"}')) === 1, 30_000, 'a first scrape');
    const push = { deviceIds: [{ kind: 'mdn', id: '15551230002' }], message: 'pushed e2e', timestamp: '2024-05-02T09:15:07Z' };
    assert.equal(
      (await fetch(`${red.url}/thingspace/sms`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(push) })).status,
      200,
    );
    await waitFor(async () => (await sim.counters()).queued === 0 && (await sim.counters()).smsAccepted === 25, 60_000, 'the drain and the sends');
    const c = await sim.counters();
    const sel = (name: string, extra = ''): string => `${name}{job="thingspace",account="${ACCOUNT}@${new URL(sim.url).host}"${extra}}`;
    const expected = { poll: c.messagesServed, push: 1, accepted: c.smsAccepted };
    let got: Record<string, number | undefined> = {};
    await waitFor(
      async () => {
        got = {
          poll: await prometheus!.value(sel('thingspace_sms_received_total', ',source="poll"')),
          push: await prometheus!.value(sel('thingspace_sms_received_total', ',source="push"')),
          accepted: await prometheus!.value(sel('thingspace_sms_sent_total', ',outcome="accepted"')),
        };
        return JSON.stringify(got) === JSON.stringify(expected);
      },
      30_000,
      `Prometheus to read ${JSON.stringify(expected)} (last read ${JSON.stringify(got)})`,
      500,
    );
    console.log(`      Prometheus read ${JSON.stringify(got)}; simulator served ${c.messagesServed}, accepted ${c.smsAccepted}`);
    assert.equal(await prometheus.value('up{job="exporter"}'), 1);
    assert.ok((await prometheus.value('e2e_exporter_scrapes_total{job="exporter"}'))! > 0, "the exporter's own metric");
    assert.equal(await prometheus.value(sel('thingspace_sms_received_total', ',source="poll"').replace('thingspace"', 'exporter"')), c.messagesServed);
    assert.doesNotMatch(red.log(), /already been registered|duplicate/i);
    assert.ok(!red.log().includes('[error]'), red.log().slice(-2000));
  });
});

describe('metrics and health with the editor off, on Node-RED 5 (express 5)', function () {
  this.timeout(600_000);
  let sim: SimulatorProcess;
  let red: NodeRed;

  before(async () => {
    const nr5 = nodeRed5();
    sim = await SimulatorProcess.start(['--final-block', 'ack-on-delivery']);
    const userDir = makeUserDir({
      name: 'operations-5',
      settings: { httpAdminRoot: false, credentialSecret: false, thingspaceSms: { metricsPath: METRICS, healthPath: HEALTH } },
    });
    const cfg = configNode(sim.url);
    delete cfg.credentials;
    // An http in node on the metrics path: it keeps it, and the log says so.
    const httpIn = { id: 'e2e-hin', type: 'http in', z: TAB, name: 'mine', url: METRICS, method: 'get', upload: false, swaggerDoc: '', wires: [['e2e-hres']] };
    const httpRes = { id: 'e2e-hres', type: 'http response', z: TAB, name: '', statusCode: '418', headers: {}, wires: [] };
    fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify([tab(), cfg, queueNode([]), httpIn, httpRes]));
    fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify({ 'e2e-cfg': SIM_CREDENTIALS }));
    await sim.generate(500);
    red = await NodeRed.start(userDir, { readyPath: HEALTH, nodeBinary: nr5.nodeBinary, redJs: nr5.redJs });
  });

  after(async () => {
    await red?.stop();
    await sim?.stop();
  });

  it('answers health, and leaves a path an http in node serves to it, saying so in the log', async () => {
    await waitFor(async () => (await sim.counters()).queued === 0, 30_000, 'the drain');
    await waitFor(async () => (await fetch(red.url + HEALTH)).status === 200, 10_000, 'health 200');
    const body = (await (await fetch(red.url + HEALTH)).json()) as { accounts: Array<{ state: string }> };
    assert.equal(body.accounts[0].state, 'reading');
    assert.equal((await fetch(red.url + METRICS)).status, 418, 'the http in node answers');
    assert.match(red.log(), new RegExp(`${METRICS} is already served on Node-RED's HTTP server \\(by http in node "mine" \\(e2e-hin\\)\\)`));
  });
});

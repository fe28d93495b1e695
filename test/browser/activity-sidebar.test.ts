// The "ThingSpace SMS" sidebar tab in a real browser, on Node-RED 4 and on Node-RED 5 (Node 22),
// each started from the packed tarball with adminAuth on and coordinated through a real Redis: a
// drain from the simulator moves its numbers while it runs, a send shows in flight and then
// pending, the reader is the lease holder as Redis names it (a runtime name with markup in it,
// shown as text), and its admin route refuses a request without a token. UPDATE_DOCS_IMAGES=1
// also saves the README's picture of it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Locator } from 'playwright-core';
import { nodeRed5 } from '../e2e/compat/node-red-5';
import { ACCOUNT, NodeRed, ROOT, SIM_CREDENTIALS, SimulatorProcess, TAB, configNode, queueNode, tab, waitFor } from '../e2e/harness';
import { type LaunchedBrowser, launchChromium, requireChromium } from './lib/chromium';
import { contrast } from './lib/contrast';
import { Editor } from './lib/editor';
import { screenshot, screenshotOnFailure } from './lib/screenshots';
import { editorUserDir } from './lib/user-dir';
import { RedisServer, redisAvailable } from '../support/redis-server';

const USER = { username: 'admin', password: 'sidebar-test-password' };
// bcrypt of USER.password (Node-RED's adminAuth takes the hash).
const HASH = '$2b$08$L.vjbfkD.oIafd2GFA/IOOlFxJ8tAr7PFomrrlCXh8IIat3qMvLtm';
const ROUTE = '/thingspace-sms/activity';
const DRAIN = 400;
// The runtime's name is user input: the sidebar must show it as text, never run it (on
// Node-RED 5; Node-RED 4 takes the README's picture, with a plain name).
const MARKUP = '<img src=x onerror="window.tsSidebarInjected=1">replica-a';

function flow(server: string, redisUrl: string, runtime: string): Record<string, unknown>[] {
  return [
    { ...tab(), label: 'ThingSpace SMS' },
    configNode(server, SIM_CREDENTIALS, { name: 'Simulator', coordination: 'redis', redisUrl, redisPrefix: 'sidebar:', leaseTime: 5, instanceName: runtime }),
    queueNode([], { name: 'SMS queue', interval: '2', x: 170, y: 100 }),
    {
      id: 'sb-inject',
      type: 'inject',
      z: TAB,
      name: 'send',
      props: [{ p: 'payload' }],
      payload: 'hello',
      payloadType: 'str',
      x: 130,
      y: 180,
      wires: [['sb-out']],
    },
    {
      id: 'sb-out',
      type: 'sms-out',
      z: TAB,
      name: '',
      thingspace: 'e2e-cfg',
      targetType: 'device',
      deviceKind: 'mdn',
      deviceId: '15551230001',
      encoding: '7-bit',
      concurrency: 4,
      queueLimit: 1000,
      keep: '_msgid',
      outcomeTimeout: 86400,
      x: 330,
      y: 180,
      wires: [[], []],
    },
  ];
}

async function accessToken(red: NodeRed): Promise<string> {
  const res = await red.api('POST', '/auth/token', { client_id: 'node-red-admin', grant_type: 'password', scope: '*', ...USER });
  assert.equal(res.status, 200, `login: ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

function sidebarSuite(version: 4 | 5): void {
  describe(`the ThingSpace SMS sidebar on Node-RED ${version} (package from the tarball, adminAuth on)`, function () {
    this.timeout(120_000);
    const runtime = version === 5 ? MARKUP : 'replica-a';
    let sim: SimulatorProcess;
    let redis: RedisServer;
    let red: NodeRed;
    let token: string;
    let browser: LaunchedBrowser;
    let context: BrowserContext;
    let editor: Editor;

    let second: NodeRed | undefined;

    /** A Node-RED of this version with adminAuth, the flow deployed, its runtime named `name`. */
    async function startRuntime(dirName: string, name: string): Promise<{ red: NodeRed; token: string }> {
      const nr5 = version === 5 ? nodeRed5() : undefined;
      const adminAuth = { type: 'credentials', users: [{ username: USER.username, password: HASH, permissions: '*' }] };
      const dir = editorUserDir(`browser-sidebar-nr${version}-${dirName}`, undefined, { adminAuth });
      // The logged-in user's editor settings: as the anonymous user's (no tips over the sidebar).
      const users = path.join(dir, '.config.users.json');
      const prefs = JSON.parse(fs.readFileSync(users, 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(users, JSON.stringify({ ...prefs, [USER.username]: prefs._ }, null, 2));
      const started = await NodeRed.start(dir, nr5 ? { nodeBinary: nr5.nodeBinary, redJs: nr5.redJs } : {});
      const t = await accessToken(started);
      await started.deploy(flow(sim.url, redis.url, name), 'full', t);
      return { red: started, token: t };
    }

    before(async function () {
      this.timeout(420_000); // Node-RED 5: the first run installs node@22 and node-red@5
      requireChromium(this);
      if (!redisAvailable()) {
        if (process.env.CI === 'true') throw new Error('the sidebar test needs redis-server');
        console.log('      skipped: redis-server is not installed');
        this.skip();
      }
      redis = await RedisServer.start();
      const nr5 = version === 5 ? nodeRed5() : undefined;
      // Small blocks, each answered after 250 ms: a drain of 400 SMS takes about five seconds.
      sim = await SimulatorProcess.start(['--block-size', '20', '--latency', '250']);
      ({ red, token } = await startRuntime('a', runtime));
      browser = await launchChromium();
      context = await browser.context('en-US');
      editor = await Editor.open(context, red.url, 60_000, USER);
      if (nr5) console.log(`      Node-RED ${nr5.nodeRedVersion} on Node ${nr5.nodeVersion}`);
    });

    after(async () => {
      await browser?.close();
      await second?.stop();
      await red?.stop();
      await sim?.stop();
      await redis?.stop();
    });

    screenshotOnFailure(() => editor);

    const card = (e = editor): Locator => e.page.locator(`.thingspace-sms-activity-account[data-account^="${ACCOUNT}"]`);
    const field = (name: string, e = editor): Locator => card(e).locator(`[data-field="${name}"]`);
    const text = async (name: string, e = editor): Promise<string> => ((await field(name, e).textContent()) ?? '').trim();
    const polled = async (): Promise<number> => Number(/^(\d+) polled/.exec(await text('received'))?.[1] ?? NaN);

    it('its admin route refuses a request without a token, and answers one with a token', async () => {
      const refused = await fetch(`${red.url}${ROUTE}`);
      assert.equal(refused.status, 401);
      const answered = await red.api('GET', ROUTE, undefined, { Authorization: `Bearer ${token}` });
      assert.equal(answered.status, 200);
      const body = await answered.text();
      const snapshot = JSON.parse(body) as { at: number; accounts: Array<{ account: string; perMinute: number[] }> };
      assert.ok(Math.abs(snapshot.at - Date.now()) < 60_000, `at ${snapshot.at}`);
      const mine = snapshot.accounts.find((a) => a.account.startsWith(ACCOUNT));
      assert.ok(mine, body);
      assert.equal(mine.perMinute.length, 30);
      for (const secret of Object.values(SIM_CREDENTIALS).filter((v) => /secret|password/.test(v))) assert.ok(!body.includes(secret), secret);
    });

    it('shows the account as read by this runtime, then its numbers move during a drain', async () => {
      await editor.openSidebar('thingspace-sms');
      await waitFor(async () => (await text('state')) === 'reading', 30_000, 'the account reading');
      // The lease holder as Redis has it: this runtime, its name shown as typed.
      assert.equal(await text('reader'), `${runtime} (this runtime)`);
      assert.equal(await editor.evaluate<unknown>('window.tsSidebarInjected'), undefined);
      assert.equal(await editor.page.locator('.thingspace-sms-activity img').count(), 0);
      assert.match(await text('lastPoll'), /^\d+ s ago$/);
      assert.equal(await polled(), 0);

      // The updates the editor receives over RED.comms, by the runtime's clock at publishing.
      await editor.evaluate("window.tsActivityAt = []; RED.comms.subscribe('thingspace-sms/activity', (t, d) => window.tsActivityAt.push(d.at))");
      await sim.generate(DRAIN, ACCOUNT);
      // What the sidebar shows while the simulator is still serving the queue.
      const seen: number[] = [];
      await waitFor(
        async () => {
          const n = await polled();
          if (seen[seen.length - 1] !== n) seen.push(n);
          return n === DRAIN;
        },
        60_000,
        `${DRAIN} polled in the sidebar`,
        50,
      );
      console.log(`      polled, as the sidebar showed it: ${seen.join(', ')}`);
      const during = seen.filter((n) => n > 0 && n < DRAIN);
      assert.ok(during.length >= 2, `numbers shown: ${seen.join(', ')}`);
      assert.deepEqual(
        seen,
        [...seen].sort((a, b) => a - b),
        'never going back',
      );
      assert.ok((await sim.counters()).messagesServed >= DRAIN);
      // Throttled: at most one update a second however fast the blocks come.
      // A retained update may reach a new subscriber twice (the editor's cache and the runtime): one publish, one time.
      const at = [...new Set(await editor.evaluate<number[]>('window.tsActivityAt'))];
      assert.ok(at.length >= 3, `${at.length} updates`);
      const gaps = at.slice(1).map((t, i) => t - at[i]);
      assert.ok(Math.min(...gaps) >= 990, `gaps between updates: ${gaps.join(', ')} ms`);

      // The chart: one bar a minute, the drain's SMS in the last bars.
      await waitFor(async () => (await text('perMinute')).includes(`${DRAIN} in all`), 10_000, 'the chart caption');
      const counts = (await card()
        .locator('svg rect')
        .evaluateAll((bars) => bars.map((b) => Number(b.getAttribute('data-count'))))) as number[];
      assert.equal(counts.length, 30);
      assert.equal(
        counts.reduce((s, n) => s + n, 0),
        DRAIN,
      );
      assert.equal(await text('errors'), 'none');
    });

    it('counts an error by its code (the one ThingSpace gave)', async () => {
      await sim.fault({ kind: 'server-error', status: 503, count: 1 });
      await waitFor(async () => / ×1$/.test(await text('errors')), 30_000, 'an error in the sidebar');
      const res = await red.api('GET', ROUTE, undefined, { Authorization: `Bearer ${token}` });
      const { accounts } = (await res.json()) as { accounts: Array<{ account: string; errors: Record<string, number> }> };
      const errors = accounts.find((a) => a.account.startsWith(ACCOUNT))?.errors ?? {};
      assert.deepEqual(Object.values(errors), [1]);
      assert.equal(await text('errors'), `${Object.keys(errors)[0]} ×1`);
    });

    it('shows a send in flight, then its outcome pending (no delivery notice comes)', async () => {
      assert.equal(await text('inFlight'), '0');
      assert.equal(await text('pending'), '0');
      await sim.configure({ latencyMs: 3000 });
      try {
        const res = await red.api('POST', '/inject/sb-inject', undefined, { Authorization: `Bearer ${token}` });
        assert.equal(res.status, 200);
        await waitFor(async () => (await text('inFlight')) === '1', 10_000, 'a send in flight');
        await waitFor(async () => (await text('inFlight')) === '0' && (await text('pending')) === '1', 20_000, 'the send accepted, its outcome pending');
      } finally {
        await sim.configure({ latencyMs: 250 });
      }
    });

    it('on a second runtime on the same Redis: standby, read by the first (the holder Redis names)', async () => {
      ({ red: second } = await startRuntime('b', 'replica-b'));
      const other = await Editor.open(context, second.url, 60_000, USER);
      try {
        await other.openSidebar('thingspace-sms');
        await waitFor(async () => (await text('state', other)) === 'standby', 30_000, 'the second runtime standing by');
        assert.equal(await text('reader', other), runtime);
        assert.equal(await text('received', other), '0 polled, 0 pushed');
        assert.deepEqual(other.pageErrors, []);
      } finally {
        await other.page.close();
      }
    });

    it('follows the theme: readable text, and a picture of it', async () => {
      if (version === 5) {
        // Node-RED 5's dark theme: User Settings > Appearance > Theme (test/browser/themes.test.ts).
        await editor.page.click('#red-ui-header-button-sidemenu');
        await editor.page.click('#menu-item-user-settings');
        await editor.page.selectOption('#user-settings-view-dark-theme', 'dark');
        await editor.page.click('#node-dialog-ok');
        await editor.page.locator('#user-settings-view-dark-theme').waitFor({ state: 'detached' });
        await editor.openSidebar('thingspace-sms');
      }
      for (const selector of ['.thingspace-sms-activity-name', '.thingspace-sms-activity td[data-field="received"]', '.thingspace-sms-activity td']) {
        const c = await contrast(editor.page, selector);
        assert.ok(c.ratio >= 4.5, `${selector}: ${c.ratio.toFixed(2)} (${c.color} on ${c.background})`);
      }
      await editor.dismissNotifications();
      const sidebar = editor.page.locator('#red-ui-sidebar');
      await screenshot(editor.page, `sidebar-activity-nr${version}`);
      if (version === 4 && process.env.UPDATE_DOCS_IMAGES === '1') {
        // The README's picture: the tab bar down to the account's chart.
        const top = await sidebar.boundingBox();
        const bottom = await card().boundingBox();
        assert.ok(top && bottom);
        const clip = { x: top.x, y: top.y, width: top.width, height: bottom.y + bottom.height + 10 - top.y };
        await editor.page.screenshot({ path: path.join(ROOT, 'docs', 'images', 'activity-sidebar.png'), clip });
      }
      assert.deepEqual(editor.pageErrors, []);
    });
  });
}

sidebarSuite(4);
sidebarSuite(5);

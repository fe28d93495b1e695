// The editor in a real browser (Debian's chromium) against Node-RED 4 started from the
// packed tarball, with the simulator in its own process: palette, help, validation and the
// config dialog's "Test connection", in en-US and de.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { NodeRed, ROOT, SimulatorProcess, TAB, configNode, freePort, queueNode, tab } from '../e2e/harness';
import { type LaunchedBrowser, launchChromium, requireChromium } from './lib/chromium';
import { Editor } from './lib/editor';
import { screenshot, screenshotOnFailure } from './lib/screenshots';
import { editorUserDir } from './lib/user-dir';

const SECRETS = ['sim-client-secret', 'sim-password', 'cb-secret'];

function catalog(lang: string, type: string): Record<string, Record<string, unknown>> {
  const file = path.join(ROOT, 'locales', lang, `${type}.json`);
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, Record<string, unknown>>>)[type];
}

/** The deployed flow the editor opens on: one node of each type, and the account. */
function baseFlow(server: string): Record<string, unknown>[] {
  return [
    { ...tab(), label: 'ThingSpace SMS' },
    configNode(
      server,
      {
        clientId: 'sim-client-id',
        clientSecret: 'sim-client-secret',
        username: 'sim-user',
        password: 'sim-password',
        callbackUsername: 'cb-user',
        callbackPassword: 'cb-secret',
      },
      { name: 'Simulator' },
    ),
    queueNode(['e2e-debug'], { interval: '60', x: 160, y: 100 }),
    {
      id: 'e2e-debug',
      type: 'debug',
      z: TAB,
      name: 'SMS',
      active: true,
      tosidebar: true,
      console: false,
      tostatus: false,
      complete: 'payload',
      targetType: 'msg',
      x: 380,
      y: 100,
      wires: [],
    },
    { id: 'e2e-cb', type: 'start-callbacks', z: TAB, name: '', thingspace: 'e2e-cfg', callbackUrl: '', onDeploy: false, x: 170, y: 180, wires: [[]] },
    {
      id: 'e2e-out',
      type: 'sms-out',
      z: TAB,
      name: '',
      thingspace: 'e2e-cfg',
      targetType: 'device',
      deviceKind: 'mdn',
      deviceId: '15551230001',
      groupName: '',
      servicePlan: '',
      encoding: '7-bit',
      timeToLive: '',
      concurrency: 4,
      queueLimit: 1000,
      keep: '_msgid,correlationId',
      outcomeTimeout: 86400,
      x: 170,
      y: 260,
      wires: [[], []],
    },
  ];
}

describe('the editor in a real browser (Node-RED 4, package installed from the tarball)', function () {
  this.timeout(120_000);
  let sim: SimulatorProcess;
  let red: NodeRed;
  let browser: LaunchedBrowser;
  let context: BrowserContext;
  let editor: Editor;
  let current: Editor | undefined;

  before(async function () {
    this.timeout(180_000);
    requireChromium(this);
    sim = await SimulatorProcess.start([]);
    red = await NodeRed.start(editorUserDir('browser-editor'));
    await red.deploy(baseFlow(sim.url));
    browser = await launchChromium();
    context = await browser.context('en-US');
    editor = await Editor.open(context, red.url);
    current = editor;
  });

  after(async () => {
    await browser?.close();
    await red?.stop();
    await sim?.stop();
  });

  screenshotOnFailure(() => current);

  describe('the palette', () => {
    it('shows sms queue, start callbacks and sms out under ThingSpace with their own icons (en-US)', async () => {
      const category = editor.paletteCategory('ThingSpace');
      assert.equal((await category.locator('.red-ui-palette-header').innerText()).trim(), 'ThingSpace');
      for (const [type, icon] of [
        ['sms-queue-in', 'thingspace.svg'],
        ['start-callbacks', 'thingspace-callbacks.svg'],
        ['sms-out', 'thingspace-send.svg'],
      ]) {
        const node = category.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
        const label = (await node.locator('.red-ui-palette-label').innerText()).replace(/\s+/g, ' ').trim();
        assert.equal(label, catalog('en-US', type).paletteLabel);
        const iconUrl = await node.locator('.red-ui-palette-icon-container').getAttribute('data-palette-icon');
        assert.equal(iconUrl, `icons/node-red-contrib-thingspace-sms/${icon}`);
        const res = await editor.page.request.get(`${red.url}/${iconUrl}`);
        assert.equal(res.status(), 200, `${iconUrl} is served`);
        assert.match(res.headers()['content-type'] ?? '', /image\/svg\+xml/);
        assert.match(await res.text(), /<svg/);
      }
      // As a user finds them: scrolled to the category, the pointer on sms queue.
      await category.scrollIntoViewIfNeeded();
      await category.locator('.red-ui-palette-node[data-palette-type="sms-queue-in"]').hover();
      await editor.page.locator('.red-ui-popover', { hasText: 'sms queue' }).waitFor();
      await screenshot(editor.page, 'palette-en-US');
      await editor.page.mouse.move(700, 500);
    });

    it('lists the account as a configuration node with its translated type label (en-US)', async () => {
      const def = await editor.evaluate<{ category: string; label: string }>(
        "(() => { const d = RED.nodes.getType('thingspace-config'); return { category: d.category, label: d.paletteLabel.call(d) }; })()",
      );
      assert.deepEqual(def, { category: 'config', label: 'ThingSpace account' });
      const sidebar = await editor.openSidebar('config');
      await sidebar.locator('.red-ui-palette-node', { hasText: 'Simulator' }).first().waitFor();
    });
  });

  describe('the help sidebar', () => {
    const SECTIONS = ['Inputs', 'Outputs', 'Details', 'References'];
    for (const [type, label] of [
      ['sms-queue-in', 'sms queue'],
      ['start-callbacks', 'start callbacks'],
      ['sms-out', 'sms out'],
      ['thingspace-config', 'ThingSpace account'],
    ]) {
      it(`renders the ${type} help with its Inputs, Outputs, Details and References sections`, async () => {
        const help = await editor.showHelp('node-red-contrib-thingspace-sms', label);
        const headings = (await help.locator('h3').allInnerTexts()).map((h) => h.trim());
        assert.deepEqual(
          headings.filter((h) => SECTIONS.includes(h)),
          SECTIONS,
        );
        assert.ok((await help.locator('dl.message-properties').count()) >= 1, 'properties are listed the Node-RED way');
        assert.doesNotMatch(await help.innerText(), new RegExp(`${type}\\.[a-z]+\\.`), 'no raw message keys');
        if (type === 'sms-queue-in') await screenshot(editor.page, 'help-sms-queue-in');
      });
    }
  });

  describe('the config dialog', () => {
    it('opens from the sms queue node with every secret masked and none sent to the browser', async () => {
      await editor.switchToTab('ThingSpace SMS');
      await editor.editNode('e2e-q');
      await editor.editConfigFromNode('thingspace');
      for (const field of ['clientSecret', 'password', 'callbackPassword']) {
        const input = editor.page.locator(`#node-config-input-${field}`);
        assert.equal(await input.getAttribute('type'), 'password', `${field} is a password input`);
        const value = await input.inputValue();
        assert.ok(value.length > 0 && !SECRETS.includes(value), `${field} shows a placeholder, not the secret`);
      }
      assert.equal(await editor.page.locator('#node-config-input-clientId').inputValue(), 'sim-client-id');
      const html = await editor.page.content();
      for (const s of SECRETS) assert.ok(!html.includes(s), `the page does not hold ${s}`);
    });

    async function testConnection(): Promise<string[]> {
      const result = editor.page.locator('#node-config-thingspace-test-result');
      await editor.page.click('#node-config-thingspace-test');
      await result.locator('.fa-spinner').waitFor({ state: 'detached', timeout: 30_000 });
      const lines = (await result.innerText())
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      for (const s of SECRETS) assert.ok(!lines.join(' ').includes(s), `the result does not show ${s}`);
      return lines;
    }

    it('"Test connection" reports success against the simulator', async () => {
      const lines = await testConnection();
      assert.deepEqual(lines, ['Token: OK / Login: OK']);
      assert.equal(await editor.page.locator('#node-config-thingspace-test-result .fa-check-circle').count(), 1);
      await screenshot(editor.page, 'config-dialog-test-connection-ok');
    });

    it('"Test connection" with a wrong password says the login was rejected', async () => {
      await editor.fill('#node-config-input-password', 'not-the-password');
      const lines = await testConnection();
      console.log(`      wrong password: ${lines.join(' | ')}`);
      assert.match(lines[0], /^Token: OK \/ Login: rejected \(\S+\)$/);
      assert.ok(lines.length >= 2, 'a detail line follows');
      assert.equal(await editor.page.locator('#node-config-thingspace-test-result .fa-exclamation-triangle').count(), 1);
      await screenshot(editor.page, 'config-dialog-wrong-password');
    });

    it('"Test connection" again with the refused password answers from memory; "Try anyway" sends one login', async () => {
      const failed = async (): Promise<number> => (await sim.counters()).loginsFailed;
      const before = await failed();
      const lines = await testConnection();
      console.log(`      refused before: ${lines.join(' | ')}`);
      assert.match(
        lines.join(' | '),
        /Not tried: the login of sim-user was refused with this password on .*\(failed logins recorded by this package: 1; ThingSpace locks the user after 5\)/,
      );
      assert.equal(lines.filter((l) => l.includes('refused')).length, 1, 'said once');
      assert.equal(await failed(), before, 'no login sent');
      const result = editor.page.locator('#node-config-thingspace-test-result');
      await editor.page.click('#node-config-thingspace-test-force');
      await result.locator('.fa-spinner').waitFor({ state: 'detached', timeout: 30_000 });
      assert.equal(await failed(), before + 1, 'one login sent');
      assert.match(await result.innerText(), /2 failed logins recorded/);
      await screenshot(editor.page, 'config-dialog-refused-before');
    });

    it('"Test connection" with a wrong client secret says the token was rejected, and no login was tried', async () => {
      await editor.fill('#node-config-input-password', 'sim-password');
      await editor.fill('#node-config-input-clientSecret', 'not-the-secret');
      const lines = await testConnection();
      console.log(`      wrong client secret: ${lines.join(' | ')}`);
      assert.match(lines[0], /^Token: rejected \(\S+\) \/ Login: not tried$/);
      assert.ok(lines.length >= 2, 'a detail line follows');
    });

    it('"Test connection" to an unreachable server says the token request failed to connect', async () => {
      const closed = await freePort();
      await editor.fill('#node-config-input-clientSecret', 'sim-client-secret');
      await editor.fill('#node-config-input-server', `http://127.0.0.1:${closed}`);
      const lines = await testConnection();
      console.log(`      unreachable server: ${lines.join(' | ')}`);
      assert.match(lines[0], /^Token: failed \(\S+\) \/ Login: not tried$/);
      assert.ok(lines.length >= 2, 'a detail line follows');
      assert.doesNotMatch(lines[0], /rejected/, 'a network failure is not reported as rejected credentials');
      await editor.closeConfigDialog(false);
      await editor.closeNodeDialog(false);
    });
  });

  describe('validation before deploy', () => {
    async function invalid(selector: string, value: string): Promise<boolean> {
      await editor.fill(selector, value);
      return (await editor.page.locator(selector).getAttribute('class'))?.split(/\s+/).includes('input-error') ?? false;
    }

    it('sms queue marks a negative or non-numeric interval, and the node shows it on the canvas', async () => {
      await editor.editNode('e2e-q');
      assert.equal(await invalid('#node-input-interval', '-5'), true, '-5');
      assert.equal(await invalid('#node-input-interval', 'soon'), true, 'soon');
      assert.equal(await invalid('#node-input-interval', '0'), false, '0 (poll only on input)');
      assert.equal(await invalid('#node-input-interval', '-1'), true, '-1');
      await screenshot(editor.page, 'validation-interval');
      await editor.closeNodeDialog(true);
      // The invalid node is flagged before any deploy: the red triangle on the canvas.
      await editor.node('e2e-q').locator('.red-ui-flow-node-error').waitFor({ state: 'visible' });
      await editor.editNode('e2e-q');
      assert.equal(await invalid('#node-input-interval', '60'), false, '60');
      await editor.closeNodeDialog(true);
      await editor.node('e2e-q').locator('.red-ui-flow-node-error').waitFor({ state: 'hidden' });
    });

    it("sms queue takes an account of its own: empty means the config node's (its placeholder says which), a bad name is marked", async () => {
      await editor.editNode('e2e-q');
      const field = editor.page.locator('#node-input-accountName');
      assert.equal(await field.getAttribute('placeholder'), "0000123456-00001 (the config node's)");
      assert.equal(await invalid('#node-input-accountName', 'my account!'), true, 'my account!');
      assert.equal(await invalid('#node-input-accountName', 'ab'), true, 'ab (too short)');
      assert.equal(await invalid('#node-input-accountName', '0000123456-00002'), false, 'another account, leading zeros');
      assert.equal(await invalid('#node-input-accountName', ''), false, "empty: the config node's account");
      await editor.closeNodeDialog(false);
    });

    it('the config dialog marks a bad account name and a plain-http remote server', async () => {
      await editor.editNode('e2e-q');
      await editor.editConfigFromNode('thingspace');
      assert.equal(await invalid('#node-config-input-accountName', 'my account!'), true, 'my account!');
      assert.equal(await invalid('#node-config-input-accountName', 'ab'), true, 'ab (too short)');
      assert.equal(await invalid('#node-config-input-accountName', '0000123456-00001'), false, '0000123456-00001');
      assert.equal(await invalid('#node-config-input-server', 'http://thingspace.example.com'), true, 'plain http to a remote host');
      assert.equal(await invalid('#node-config-input-server', 'https://user:pw@thingspace.verizon.com'), true, 'user:password in the URL');
      assert.equal(await invalid('#node-config-input-server', sim.url), false, 'the simulator on 127.0.0.1');
      await editor.closeConfigDialog(false);
      await editor.closeNodeDialog(false);
    });

    it('the config dialog shows the Sentinel fields only for Redis Sentinel, and marks a bad list or master name', async () => {
      await editor.editNode('e2e-q');
      await editor.editConfigFromNode('thingspace');
      const shown = (selector: string): Promise<boolean> => editor.page.locator(selector).isVisible();
      const coordination = editor.page.locator('#node-config-input-coordination');
      await coordination.selectOption('sentinel');
      for (const field of ['sentinels', 'sentinelMaster', 'sentinelPassword', 'redisPassword', 'redisPrefix'])
        assert.equal(await shown(`#node-config-input-${field}`), true, field);
      assert.equal(await shown('#node-config-input-redisUrl'), false, 'no URL with Sentinel');
      assert.equal(await invalid('#node-config-input-sentinels', 'redis://10.0.0.5:26379'), true, 'a URL');
      assert.equal(await invalid('#node-config-input-sentinels', ''), true, 'empty');
      assert.equal(await invalid('#node-config-input-sentinels', '10.0.0.5:26379, [::1]:26380, sentinel-c'), false, 'three sentinels');
      assert.equal(await invalid('#node-config-input-sentinelMaster', 'my master'), true, 'a space');
      assert.equal(await invalid('#node-config-input-sentinelMaster', 'mymaster'), false, 'mymaster');
      await coordination.selectOption('redis');
      assert.equal(await shown('#node-config-input-sentinels'), false, 'no sentinels with a URL');
      assert.equal(await shown('#node-config-input-redisUrl'), true, 'the URL');
      await coordination.selectOption('none');
      assert.equal(await shown('#node-config-input-redisPassword'), false, 'nothing of Redis without coordination');
      await editor.closeConfigDialog(false);
      await editor.closeNodeDialog(false);
    });

    it('sms out marks a device id that is not of its kind, and names the device on the canvas', async () => {
      assert.equal((await editor.node('e2e-out').locator('.red-ui-flow-node-label').textContent())?.trim(), 'sms to 15551230001');
      await editor.editNode('e2e-out');
      assert.equal(await invalid('#node-input-deviceId', '555-0100'), true, '555-0100');
      assert.equal(await invalid('#node-input-deviceId', '12'), true, 'too short');
      assert.equal(await invalid('#node-input-deviceId', '15551230002'), false, 'an mdn');
      assert.equal(await invalid('#node-input-concurrency', '0'), true, 'no send in flight');
      assert.equal(await invalid('#node-input-concurrency', '8'), false, '8 in flight');
      await screenshot(editor.page, 'sms-out-dialog');
      await editor.closeNodeDialog(false);
    });

    it('start callbacks marks a listener URL that is not http(s) or carries a password', async () => {
      await editor.editNode('e2e-cb');
      assert.equal(await invalid('#node-input-callbackUrl', 'ftp://example.com/sms'), true, 'ftp://');
      assert.equal(await invalid('#node-input-callbackUrl', 'https://u:p@example.com:9001/sms'), true, 'user:password');
      assert.equal(await invalid('#node-input-callbackUrl', 'https://example.com:9001/sms'), false, 'https URL');
      assert.equal(await invalid('#node-input-callbackUrl', ''), false, 'empty (only start)');
      await editor.closeNodeDialog(false);
    });

    it("start callbacks warns of a listener port Verizon's ThingSpace does not call, without refusing it", async () => {
      const warning = editor.page.locator('#start-callbacks-callbackUrl-port');
      await editor.editNode('e2e-cb');
      await editor.fill('#node-input-callbackUrl', 'https://example.com:1880/thingspace/sms');
      assert.equal(await warning.isVisible(), false, 'the simulator calls any port');
      // The account pointed at Verizon's server: the same URL now gets the warning.
      await editor.editConfigFromNode('thingspace');
      await editor.fill('#node-config-input-server', 'https://thingspace.verizon.com');
      await editor.closeConfigDialog(true);
      await editor.fill('#node-input-callbackUrl', 'https://example.com:1880/thingspace/sms');
      await warning.waitFor({ state: 'visible' });
      assert.match(await warning.innerText(), /does not call listeners on port 1880/);
      assert.equal(await invalid('#node-input-callbackUrl', 'https://example.com:1880/thingspace/sms'), false, 'a warning, not a refusal');
      await screenshot(editor.page, 'start-callbacks-port-warning');
      await editor.fill('#node-input-callbackUrl', 'https://example.com:9001/thingspace/sms');
      await warning.waitFor({ state: 'hidden' });
      // Put the account back as deployed.
      await editor.editConfigFromNode('thingspace');
      await editor.fill('#node-config-input-server', sim.url);
      await editor.closeConfigDialog(true);
      await editor.closeNodeDialog(false);
    });
  });

  describe('in German (browser language de)', () => {
    let de: Editor;

    before(async () => {
      const ctx = await browser.context('de');
      de = await Editor.open(ctx, red.url);
      current = de;
    });

    it('labels the palette, the dialogs and the help from the de catalogs', async () => {
      for (const type of ['sms-queue-in', 'start-callbacks', 'sms-out']) {
        const label = (await de.paletteNode(type).locator('.red-ui-palette-label').innerText()).replace(/\s+/g, ' ').trim();
        assert.equal(label, catalog('de', type).paletteLabel);
      }
      const configLabel = await de.evaluate<string>("(() => { const d = RED.nodes.getType('thingspace-config'); return d.paletteLabel.call(d); })()");
      assert.equal(configLabel, 'ThingSpace-Konto');
      await de.paletteCategory('ThingSpace').scrollIntoViewIfNeeded();
      await de.paletteNode('sms-queue-in').hover();
      const tip = de.page.locator('.red-ui-popover', { hasText: 'sms queue' });
      await tip.waitFor();
      assert.match(await tip.innerText(), /Empfängt die SMS/, 'the palette tip is the de help summary');
      await screenshot(de.page, 'palette-de');
      await de.page.mouse.move(700, 500);

      await de.switchToTab('ThingSpace SMS');
      const tray = await de.editNode('e2e-q');
      const labels = await tray.locator('.form-row label').allInnerTexts();
      const want = catalog('de', 'sms-queue-in').label as Record<string, string>;
      for (const key of ['thingspace', 'interval', 'ackMode', 'output', 'topic', 'dedupe']) {
        assert.ok(
          labels.some((l) => l.trim() === want[key]),
          `"${want[key]}" among ${labels.join(' | ')}`,
        );
      }
      await de.editConfigFromNode('thingspace');
      assert.equal((await de.page.locator('#node-config-thingspace-test').innerText()).trim(), 'Verbindung testen');
      await de.page.click('#node-config-thingspace-test');
      const result = de.page.locator('#node-config-thingspace-test-result');
      await result.locator('.fa-check-circle').waitFor({ timeout: 30_000 });
      assert.equal((await result.innerText()).trim(), 'Token: OK / Anmeldung: OK');
      await screenshot(de.page, 'config-dialog-de');
      await de.closeConfigDialog(false);
      await de.closeNodeDialog(false);

      const help = await de.showHelp('node-red-contrib-thingspace-sms', 'sms queue');
      const headings = (await help.locator('h3').allInnerTexts()).map((h) => h.trim());
      assert.deepEqual(
        headings.filter((h) => ['Eingangsdaten', 'Ausgangsdaten', 'Details', 'Referenzen'].includes(h)),
        ['Eingangsdaten', 'Ausgangsdaten', 'Details', 'Referenzen'],
      );
    });
  });
});

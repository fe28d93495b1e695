// Node-RED 5 (on Node 22) with the package from the tarball, in its light and dark themes.
// Node-RED 5's dark theme is not a settings.js option: it is the per-browser user setting
// User Settings > Appearance > Theme (auto / light / dark), kept in localStorage
// ('view-dark-theme') and applied as the class `nr-theme-dark` on <html>. (editorTheme.theme
// only selects a theme plugin.) The test switches it the way a user does.
import assert from 'node:assert/strict';
import type { BrowserContext } from 'playwright-core';
import type { SmsMessage } from '../../nodes/lib/types';
import { type NodeRed5, nodeRed5 } from '../e2e/compat/node-red-5';
import { NodeRed, SIM_CREDENTIALS, SimulatorProcess, TAB, configNode, queueNode, tab } from '../e2e/harness';
import { type LaunchedBrowser, launchChromium, requireChromium } from './lib/chromium';
import { contrast, luminance } from './lib/contrast';
import { Editor } from './lib/editor';
import { screenshot, screenshotOnFailure } from './lib/screenshots';
import { editorUserDir } from './lib/user-dir';

const TEXTS = ['T=21.4C BAT=88 seq=17', 'DOOR=open seq=4', 'T=21.6C BAT=88 seq=18'];

function sms(device: string, text: string): SmsMessage {
  return { deviceIds: [{ kind: 'mdn', id: device }], message: text, timestamp: new Date().toISOString() };
}

function flow(server: string): Record<string, unknown>[] {
  return [
    { ...tab(), label: 'ThingSpace SMS' },
    configNode(server, SIM_CREDENTIALS, { name: 'Simulator' }),
    queueNode(['e2e-debug'], { name: 'SMS queue', interval: '3', x: 170, y: 100 }),
    {
      id: 'e2e-debug',
      type: 'debug',
      z: TAB,
      name: 'SMS',
      active: true,
      tosidebar: true,
      console: false,
      tostatus: true,
      complete: 'payload',
      targetType: 'msg',
      statusVal: 'payload',
      statusType: 'auto',
      x: 410,
      y: 100,
      wires: [],
    },
    { id: 'e2e-cb', type: 'start-callbacks', z: TAB, name: '', thingspace: 'e2e-cfg', callbackUrl: '', onDeploy: false, x: 180, y: 180, wires: [[]] },
  ];
}

// Text in our dialogs that must stay readable: labels, our section headings, the lockout
// tip and the Test connection result. WCAG AA asks 4.5:1 for normal text.
const SECTION = ['.red-ui-tray .form-row span', 'ThingSpace API (OAuth app key and secret)'] as const;
const READABLE: Array<readonly [string, string | null]> = [
  ['label[for="node-config-input-accountName"]', null],
  SECTION,
  ['.red-ui-tray .form-tips', null],
  ['#node-config-thingspace-test-result span', null],
];

describe('Node-RED 5 on Node 22 (package from the tarball): the light and the dark theme', function () {
  this.timeout(120_000);
  let nr5: NodeRed5;
  let sim: SimulatorProcess;
  let red: NodeRed;
  let browser: LaunchedBrowser;
  let context: BrowserContext;
  let editor: Editor;

  before(async function () {
    this.timeout(420_000); // the first run installs node@22 and node-red@5 into .e2e/nr5
    requireChromium(this);
    nr5 = nodeRed5();
    sim = await SimulatorProcess.start([]);
    red = await NodeRed.start(editorUserDir('browser-nr5'), { nodeBinary: nr5.nodeBinary, redJs: nr5.redJs });
    await red.deploy(flow(sim.url));
    browser = await launchChromium();
    context = await browser.context('en-US');
    editor = await Editor.open(context, red.url);
    // Sent once the editor is connected: the debug sidebar shows only what arrives after that.
    await sim.enqueue([sms('15551230001', TEXTS[0]), sms('15551230002', TEXTS[1]), sms('15551230001', TEXTS[2])]);
    console.log(`      Node-RED ${nr5.nodeRedVersion} on Node ${nr5.nodeVersion}`);
  });

  after(async () => {
    await browser?.close();
    await red?.stop();
    await sim?.stop();
  });

  screenshotOnFailure(() => editor);

  async function checkFlowAndDialog(theme: 'light' | 'dark'): Promise<void> {
    assert.equal(await editor.paletteCategory('ThingSpace').locator('.red-ui-palette-node').count(), 3, 'sms queue, start callbacks, sms out');
    await editor.openSidebar('debug');
    for (const text of TEXTS) await editor.debugMessages().filter({ hasText: text }).first().waitFor();
    await editor.waitForStatus('e2e-q', 'green');
    await editor.page.mouse.move(700, 600);
    await editor.dismissNotifications();
    await screenshot(editor.page, `nr5-${theme}-flow`);

    await editor.editNode('e2e-q');
    await editor.editConfigFromNode('thingspace');
    await editor.page.click('#node-config-thingspace-test');
    const result = editor.page.locator('#node-config-thingspace-test-result');
    await result.locator('.fa-check-circle').waitFor({ timeout: 30_000 });
    assert.equal((await result.innerText()).trim(), 'Token: OK / Login: OK');
    for (const [selector, text] of READABLE) {
      const c = await contrast(editor.page, selector, text);
      assert.ok(c.ratio >= 4.5, `${theme}: ${selector} has contrast ${c.ratio.toFixed(2)} (${c.color} on ${c.background})`);
    }
    await screenshot(editor.page, `nr5-${theme}-config-dialog`);
    await editor.closeConfigDialog(false);
    await editor.closeNodeDialog(false);
  }

  it('light (the default): palette, green status, SMS in the debug sidebar, a readable config dialog', async () => {
    assert.equal(await editor.evaluate<boolean>("document.documentElement.classList.contains('nr-theme-dark')"), false);
    await checkFlowAndDialog('light');
  });

  it('dark (User Settings > Appearance > Theme: Dark): the same, light text on dark', async () => {
    await editor.page.click('#red-ui-header-button-sidemenu');
    await editor.page.click('#menu-item-user-settings');
    await editor.page.selectOption('#user-settings-view-dark-theme', 'dark');
    await editor.page.click('#node-dialog-ok');
    await editor.page.locator('#user-settings-view-dark-theme').waitFor({ state: 'detached' });
    assert.equal(await editor.evaluate<boolean>("document.documentElement.classList.contains('nr-theme-dark')"), true);
    // Our own section heading follows the theme (a CSS variable, not a fixed colour).
    await checkFlowAndDialog('dark');
    await editor.editNode('e2e-q');
    await editor.editConfigFromNode('thingspace');
    const heading = await contrast(editor.page, ...SECTION);
    assert.ok(luminance(heading.color) > 0.5 && luminance(heading.background) < 0.2, `${heading.color} on ${heading.background}`);
    await editor.closeConfigDialog(false);
    await editor.closeNodeDialog(false);
    // The help renders in the dark theme too.
    const help = await editor.showHelp('node-red-contrib-thingspace-sms', 'sms queue');
    const headings = (await help.locator('h3').allInnerTexts()).map((h) => h.trim());
    for (const h of ['Inputs', 'Outputs', 'Details', 'References']) assert.ok(headings.includes(h), `${h} in ${headings.join(', ')}`);
    await screenshot(editor.page, 'nr5-dark-help');
  });
});

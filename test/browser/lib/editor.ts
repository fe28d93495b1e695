// The Node-RED editor as a user drives it: menus, dialogs, the canvas and the sidebars.
// Selectors are the editor's own element ids and classes (Node-RED 4 and 5).
import type { BrowserContext, Locator, Page } from 'playwright-core';

export interface NodeStatus {
  /** e.g. 'red-ui-flow-node-status-dot-green' -> shape 'dot', fill 'green' */
  shape: string;
  fill: string;
  text: string;
}

export type SidebarTab = 'info' | 'help' | 'debug' | 'config' | 'thingspace-sms';

export class Editor {
  /** Uncaught exceptions in the page: an editor script of ours that throws shows up here. */
  readonly pageErrors: string[] = [];

  private constructor(readonly page: Page) {
    page.on('pageerror', (err) => this.pageErrors.push(err.stack ?? err.message));
  }

  /** Opens the editor in a new page of `context` and waits until the palette is built;
   *  `login`: through the login dialog, when adminAuth is on. */
  static async open(context: BrowserContext, url: string, timeoutMs = 60_000, login?: { username: string; password: string }): Promise<Editor> {
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(url);
    const editor = new Editor(page);
    if (login) {
      await page.fill('#node-dialog-login-username', login.username);
      await page.fill('#node-dialog-login-password', login.password);
      await page.click('#node-dialog-login-submit');
    }
    await editor.waitLoaded(timeoutMs);
    return editor;
  }

  async reload(timeoutMs = 60_000): Promise<void> {
    await this.page.reload();
    await this.waitLoaded(timeoutMs);
  }

  /** The palette exists once every node's definition and catalog are in; the flows come after. */
  private async waitLoaded(timeoutMs: number): Promise<void> {
    await this.paletteNode('sms-queue-in').waitFor({ state: 'attached', timeout: timeoutMs });
    await this.page.waitForFunction('!!(window.RED && RED.workspaces && RED.workspaces.active())', null, { timeout: timeoutMs });
    // The loading overlay fades out after the flows arrived.
    await this.page
      .locator('#red-ui-loading-progress')
      .waitFor({ state: 'hidden', timeout: timeoutMs })
      .catch(() => undefined);
  }

  paletteCategory(name: string): Locator {
    return this.page.locator(`#red-ui-palette-container-${name}`);
  }

  paletteNode(type: string): Locator {
    return this.page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
  }

  /** A node on the canvas of the active tab. */
  node(id: string): Locator {
    return this.page.locator(`#red-ui-workspace-chart g.red-ui-flow-node-group[id="${id}"]`);
  }

  async switchToTab(label: string): Promise<void> {
    await this.page.locator('#red-ui-workspace-tabs .red-ui-tab-label', { hasText: label }).first().click();
    await this.page.locator('#red-ui-workspace-tabs li.active .red-ui-tab-label', { hasText: label }).waitFor();
  }

  /** Menu > Import > Examples > module > title > Import: the path a user takes. */
  async importExample(module: string, title: string): Promise<void> {
    await this.page.click('#red-ui-header-button-sidemenu');
    await this.page.click('#menu-item-import');
    await this.page.click('#red-ui-tab-red-ui-clipboard-dialog-import-tab-examples a');
    const examples = this.page.locator('#red-ui-clipboard-dialog-import-tab-examples');
    await examples.locator('.red-ui-treeList-label-text', { hasText: module }).click();
    const example = examples.locator('.red-ui-treeList-label-text', { hasText: title });
    const importButton = this.page.locator('#red-ui-clipboard-dialog-ok:not(.ui-state-disabled)');
    await example.click();
    // The editor fetches the example before it enables Import; on a loaded machine a click can be lost: once more.
    await importButton.waitFor({ timeout: 15_000 }).catch(async () => {
      await example.click();
      await importButton.waitFor({ timeout: 30_000 });
    });
    await importButton.click();
    await this.page.locator('#red-ui-clipboard-dialog').waitFor({ state: 'hidden' });
    // "Imported: 1 flow, ..." floats over the tab bar for seconds; a click dismisses it.
    const note = this.page.locator('#red-ui-notifications .red-ui-notification', { hasText: 'Imported' });
    await note.first().click();
    await note.first().waitFor({ state: 'detached' });
  }

  /** Double-clicks a canvas node: its edit tray opens. */
  async editNode(id: string): Promise<Locator> {
    await this.node(id).locator('.red-ui-flow-node').first().dblclick();
    const tray = this.page.locator('.red-ui-tray').last();
    await tray.locator('#node-dialog-ok').waitFor();
    return tray;
  }

  /** From an open node dialog: the pencil beside a config-node field opens that config node. */
  async editConfigFromNode(property: string): Promise<Locator> {
    await this.page.click(`#node-input-btn-${property}-edit`);
    const tray = this.page.locator('.red-ui-tray').last();
    await tray.locator('#node-config-dialog-ok').waitFor();
    return tray;
  }

  async closeConfigDialog(save: boolean): Promise<void> {
    await this.clickUntilGone(save ? '#node-config-dialog-ok' : '#node-config-dialog-cancel', '#node-config-dialog-ok');
  }

  async closeNodeDialog(save: boolean): Promise<void> {
    await this.clickUntilGone(save ? '#node-dialog-ok' : '#node-dialog-cancel', '#node-dialog-ok');
  }

  /** A click on a tray button while the tray above it is still sliding away can be lost;
   *  the user would click again, so do we (at most three times). */
  private async clickUntilGone(button: string, gone: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.page.click(button);
      try {
        await this.page.locator(gone).waitFor({ state: 'detached', timeout: 5_000 });
        return;
      } catch (err) {
        if (attempt === 3) throw err;
      }
    }
  }

  /** Types into a dialog input the way a user does (clear, type, leave the field). */
  async fill(selector: string, value: string): Promise<void> {
    const input = this.page.locator(selector);
    await input.fill(value);
    await input.dispatchEvent('change');
    await input.press('Tab');
  }

  async deploy(): Promise<void> {
    await this.page.click('#red-ui-header-button-deploy');
    // "unused config nodes" / "invalid nodes" confirmations come as a dialog first.
    const confirm = this.page.locator('#red-ui-deploy-dialog-confirm-deploy-deploy');
    const done = this.page.locator('.red-ui-notification', { hasText: /deployed/i });
    await Promise.race([confirm.waitFor({ timeout: 20_000 }), done.first().waitFor({ timeout: 20_000 })]);
    if (await confirm.isVisible()) await confirm.click();
    await done.first().waitFor({ timeout: 20_000 });
    await this.page.locator('#red-ui-header-button-deploy.disabled').waitFor({ timeout: 20_000 });
  }

  /** Help sidebar > Node Help > module > node label: the help text as the user reads it. */
  async showHelp(module: string, label: string): Promise<Locator> {
    const sidebar = await this.openSidebar('help');
    const moduleItem = sidebar.locator('.red-ui-treeList-label', { hasText: module });
    const item = sidebar.locator('.red-ui-treeList-label', { hasText: new RegExp(`^\\s*${label}\\s*$`) });
    if (!(await item.first().isVisible())) await moduleItem.first().click();
    await item.first().click();
    const help = sidebar.locator('.red-ui-help', { has: this.page.locator('h1.red-ui-help-title', { hasText: label }) });
    await help.first().waitFor();
    return help.first();
  }

  /** Node-RED 4: the sidebar's tab buttons (or its menu); Node-RED 5: the buttons under the sidebars
   *  (a click on one already selected would close its panel). */
  async openSidebar(tab: SidebarTab): Promise<Locator> {
    const nr4 = this.page.locator(`#red-ui-tab-${tab}-link-button`);
    if ((await nr4.count()) > 0) {
      if (await nr4.isVisible()) {
        await nr4.click();
      } else {
        // A tab past the first few sits in the menu at the end of the tab bar.
        await this.page.click('#red-ui-sidebar .red-ui-tab-link-button-menu');
        await this.page.click(`#red-ui-tabs-menu-option-${tab}`);
      }
      return this.page.locator('#red-ui-sidebar-content');
    }
    const nr5 = this.page.locator(`button[data-tab-id="${tab}"]`);
    if (!((await nr5.getAttribute('class')) ?? '').split(/\s+/).includes('selected')) await nr5.click();
    return this.page.locator('body');
  }

  async status(id: string): Promise<NodeStatus | undefined> {
    const group = this.node(id).locator('.red-ui-flow-node-status-group');
    if ((await group.count()) === 0 || !(await group.isVisible())) return undefined;
    const cls = (await group.locator('.red-ui-flow-node-status').getAttribute('class')) ?? '';
    const m = /red-ui-flow-node-status-(dot|ring)-(\w+)/.exec(cls);
    const text = (await group.locator('.red-ui-flow-node-status-label').textContent()) ?? '';
    return { shape: m?.[1] ?? '', fill: m?.[2] ?? '', text };
  }

  /** Waits for a node's status to have the given fill colour; returns it. */
  async waitForStatus(id: string, fill: string, timeoutMs = 30_000): Promise<NodeStatus> {
    const deadline = Date.now() + timeoutMs;
    let last: NodeStatus | undefined;
    while (Date.now() < deadline) {
      last = await this.status(id);
      if (last?.fill === fill) return last;
      await this.page.waitForTimeout(200);
    }
    throw new Error(`node ${id}: status never turned ${fill} within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
  }

  /** The debug sidebar's messages, newest last, as their visible text. */
  debugMessages(): Locator {
    return this.page.locator('.red-ui-debug-msg');
  }

  /** Clicks away "Successfully deployed" and friends, for a picture of the editor itself. */
  async dismissNotifications(): Promise<void> {
    const notes = this.page.locator('#red-ui-notifications .red-ui-notification');
    for (let i = 0; i < 5 && (await notes.count()) > 0; i++) {
      await notes
        .first()
        .click({ timeout: 2_000 })
        .catch(() => undefined);
      await this.page.waitForTimeout(300);
    }
    await this.page
      .waitForFunction('document.querySelectorAll("#red-ui-notifications .red-ui-notification").length === 0', null, { timeout: 5_000 })
      .catch(() => undefined);
  }

  /** Evaluates an expression in the page: the editor's own state (RED.*) for assertions. */
  evaluate<T>(expression: string): Promise<T> {
    return this.page.evaluate<T>(expression);
  }
}

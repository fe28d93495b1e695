// Screenshots go to test-results/screenshots/ (git-ignored). CI keeps that folder when a
// run fails, so a failing browser test leaves a picture named after itself.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from '../../e2e/harness';

export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');

function fileName(name: string): string {
  return `${name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 120)}.png`;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, fileName(name));
  await page.screenshot({ path: file });
  return file;
}

/** Registers an afterEach that saves a screenshot of `page()` when the test failed, and
 *  prints the page's uncaught errors, if any. */
export function screenshotOnFailure(page: () => { page: Page; pageErrors: string[] } | undefined): void {
  afterEach(async function () {
    const p = page();
    if (this.currentTest?.state !== 'failed' || !p || p.page.isClosed()) return;
    const file = await screenshot(p.page, `FAILED ${this.currentTest.fullTitle()}`).catch(() => undefined);
    if (file) console.log(`      screenshot of the failure: ${path.relative(ROOT, file)}`);
    for (const e of p.pageErrors) console.log(`      page error: ${e}`);
  });
}

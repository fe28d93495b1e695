// Debian's chromium, driven by playwright-core. Never a browser download: playwright-core
// has none, and the path is the distribution's (`apt-get install chromium`, as .ci/run does).
import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Quiet and offline: no QUIC, no background fetches, no component or sync updates.
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * In a `before` hook: skips the suite when chromium is missing on a developer machine, and
 * fails it in CI (CI=true), where .ci/run installs chromium and a skip would hide a gap.
 */
export function requireChromium(ctx: Mocha.Context): void {
  if (fs.existsSync(CHROMIUM_PATH)) return;
  const why = `${CHROMIUM_PATH} not found (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI === 'true') throw new Error(`browser tests need chromium: ${why}`);
  console.log(`      skipping the browser tests: ${why}`);
  ctx.skip();
}

export interface LaunchedBrowser {
  browser: Browser;
  /** A fresh context; `locale` sets navigator.language and Accept-Language, which the
   *  editor uses to pick its message catalogs. */
  context(locale?: string): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** Each launch gets a fresh, empty profile: playwright creates a temporary user data dir
 *  (it refuses a `--user-data-dir` argument) and deletes it when the browser closes. */
export async function launchChromium(): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, timeout: 60_000 });
  return {
    browser,
    context: (locale = 'en-US') => browser.newContext({ locale, viewport: { width: 1400, height: 860 }, deviceScaleFactor: 1 }),
    close: () => browser.close().catch(() => undefined),
  };
}

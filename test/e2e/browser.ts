import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterEach } from 'vitest';

/** Debian's Chromium; the e2e browser tests drive it with playwright-core (no bundled browsers). */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);

/**
 * Browser tests are skipped only on a developer machine without Chromium. In CI they always run, so a
 * missing browser fails the build instead of passing quietly.
 */
export const skipBrowserTests = !hasChromium && !process.env.CI;
if (skipBrowserTests) {
  console.warn(`[e2e] ${CHROMIUM_PATH} not found: browser tests are skipped. Install it with \`apt-get install chromium\`; in CI they always run.`);
}

export const RESULTS_DIR = resolve(import.meta.dirname, '../../test-results');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
}

/** A full-page screenshot in test-results/<name>.png; never fails the test itself. */
export async function screenshot(page: Page | undefined, name: string): Promise<string | null> {
  if (!page || page.isClosed()) return null;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = resolve(RESULTS_DIR, `${name.replace(/[^\w.-]+/g, '-').slice(0, 120)}.png`);
  try {
    await page.screenshot({ path, fullPage: true });
    return path;
  } catch {
    return null;
  }
}

/** Saves a screenshot of every page `pages()` returns when a test fails, named after the test. */
export function screenshotOnFailure(prefix: string, pages: () => (Page | undefined)[]): void {
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    for (const [i, page] of pages().entries()) {
      const path = await screenshot(page, `${prefix}-FAILED-${ctx.task.name}${i ? `-${i}` : ''}`);
      if (path) console.error(`[e2e] screenshot of the failure: ${path}`);
    }
  });
}

/** Waits until the app has hydrated (the root layout sets `data-ready`), so clicks reach its handlers. */
export async function ready(page: Page): Promise<void> {
  await page.locator('html[data-ready]').waitFor({ state: 'attached' });
}

/** Opens a page of the app and waits until it is interactive. */
export async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await ready(page);
}

/** Runs an action that loads a whole new document (a plain form POST), then waits until it is interactive. */
export async function fullReload(page: Page, action: () => Promise<void>): Promise<void> {
  await page.evaluate(() => delete document.documentElement.dataset.ready);
  await action();
  await ready(page);
}

/** Signs in through the login form and waits for the trace list. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await open(page, `${baseUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForURL(/\/traces/), page.getByRole('button', { name: 'Sign in' }).click()]);
  await ready(page);
}

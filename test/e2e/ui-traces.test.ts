import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, newContext, open, ready, screenshot, screenshotOnFailure, signIn, skipBrowserTests } from './browser';
import { chatTrace, hex, postJson } from './otlp-json';

const baseUrl = inject('baseUrl');
const apiKey = inject('apiKey');
const adminEmail = inject('adminEmail');
const adminPassword = inject('adminPassword');

describe.skipIf(skipBrowserTests)('traces explorer in a browser', () => {
  const run = hex(3);
  const service = `ui-e2e-${run}`;
  const refund = { id: hex(16), question: `Can I get a refund for order R-${run}?`, answer: 'Yes: refunds are possible within 30 days of delivery.' };
  const shipping = { id: hex(16), question: `Where is my parcel P-${run}?`, answer: 'It left the warehouse this morning.' };
  let browser: Browser;
  let page: Page;

  screenshotOnFailure('ui-traces', () => [page]);

  beforeAll(async () => {
    for (const t of [refund, shipping]) {
      const res = await postJson(baseUrl, apiKey, '/v1/traces', chatTrace(t.id, service, t.question, t.answer));
      expect(res.status).toBe(200);
    }
    const evals = await postJson(baseUrl, apiKey, '/api/v1/evaluations', {
      items: [{ traceId: refund.id, name: 'faithfulness', score: 0.2, label: 'fail', explanation: `The 30-day window for R-${run} is not in the policy.`, evaluatorKind: 'llm', evaluatorVersion: 'judge-v1' }],
    });
    expect(await evals.json()).toMatchObject({ stored: 1, rejected: 0 });
    const feedback = await postJson(baseUrl, apiKey, '/api/v1/feedback', {
      items: [{ traceId: refund.id, kind: 'thumbs', value: 'down', comment: `Wrong answer about R-${run}`, sentiment: 'negative', endUserId: 'end-user-e2e' }],
    });
    expect(await feedback.json()).toMatchObject({ stored: 1, rejected: 0 });

    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('shows an inline error for a wrong password and stays on the sign-in page', async () => {
    await open(page, `${baseUrl}/login`);
    await page.getByLabel('Email').fill(adminEmail);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong email or password.');
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  it('lists the new traces after signing in', async () => {
    await signIn(page, baseUrl, adminEmail, adminPassword);
    await page.locator(`tr[data-trace-id="${refund.id}"]`).waitFor();
    await page.locator(`tr[data-trace-id="${shipping.id}"]`).waitFor();
    expect(await page.locator(`tr[data-trace-id="${refund.id}"]`).textContent()).toContain(service);
    await screenshot(page, 'ui-traces-list');
  });

  it('narrows the list to the thumbs-down trace with a filter chip, kept in the URL', async () => {
    await page.locator('summary', { hasText: 'Add filter' }).click();
    await page.getByRole('menuitem', { name: 'Feedback' }).click();
    await page.getByRole('combobox', { name: 'Feedback' }).selectOption('down');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/feedback=down/);

    const chips = page.getByRole('list', { name: 'Active filters' });
    await expect.poll(() => chips.textContent()).toContain('thumbs down');
    await page.locator(`tr[data-trace-id="${refund.id}"]`).waitFor();
    expect(await page.locator(`tr[data-trace-id="${shipping.id}"]`).count()).toBe(0);

    // A shared or reloaded link shows the same view.
    await page.reload();
    await ready(page);
    expect(await chips.textContent()).toContain('thumbs down');
    expect(await page.locator(`tr[data-trace-id="${refund.id}"]`).count()).toBe(1);
    expect(await page.locator(`tr[data-trace-id="${shipping.id}"]`).count()).toBe(0);
    // The row carries the evaluator's score and the feedback.
    const row = await page.locator(`tr[data-trace-id="${refund.id}"]`).textContent();
    expect(row).toContain('0.20');
    await screenshot(page, 'ui-traces-filtered');
  });

  it('removes a chip and sorts by a column header', async () => {
    await page.getByRole('link', { name: 'Remove filter: thumbs down' }).click();
    await page.waitForURL((url) => !url.search.includes('feedback='));
    await page.locator(`tr[data-trace-id="${shipping.id}"]`).waitFor();

    await page.getByRole('link', { name: /^Duration/ }).click();
    await page.waitForURL(/sort=duration/);
    expect(await page.locator('th[aria-sort="descending"]').textContent()).toContain('Duration');
  });

  it('opens the trace: the chat transcript and its evaluation and feedback are visible', async () => {
    await open(page, `${baseUrl}/traces?feedback=down`);
    await page.locator(`tr[data-trace-id="${refund.id}"] td.name a`).click();
    await page.waitForURL(new RegExp(`/traces/${refund.id}`));

    const transcript = page.locator('article').filter({ has: page.getByRole('heading', { name: 'Transcript' }) });
    await expect.poll(() => transcript.textContent()).toContain(refund.question);
    expect(await transcript.textContent()).toContain(refund.answer);

    const signals = page.getByRole('region', { name: 'Signals' });
    const text = await signals.textContent();
    expect(text).toContain('faithfulness');
    expect(text).toContain('0.20');
    expect(text).toContain(`The 30-day window for R-${run} is not in the policy.`);
    expect(text).toContain('thumbs down');
    expect(text).toContain(`Wrong answer about R-${run}`);
    await screenshot(page, 'ui-traces-trace');
  });
});

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, newContext, open, screenshot, screenshotOnFailure, signIn, skipBrowserTests } from './browser';
import { chatTrace, hex, postJson } from './otlp-json';
import { addReviewer, adminSession, waitForTraces } from './review-api';

const baseUrl = inject('baseUrl');
const apiKey = inject('apiKey');
const adminEmail = inject('adminEmail');
const adminPassword = inject('adminPassword');

const PASSWORD = 'reviewer-e2e-password';

describe.skipIf(skipBrowserTests)('review mode with two reviewers at once', () => {
  const run = hex(3);
  const traceIds = [hex(16), hex(16), hex(16)];
  const ada = { email: `ada-${run}@example.com`, name: `Ada Reviewer ${run}` };
  const bo = { email: `bo-${run}@example.com`, name: `Bo Reviewer ${run}` };
  let queueId = '';
  let admin: Awaited<ReturnType<typeof adminSession>>;
  let browser: Browser;
  let a: Page;
  let b: Page;

  screenshotOnFailure('ui-review', () => [a, b]);

  const itemOn = (page: Page) => page.getByTestId('review-item').textContent();
  const doneOn = (page: Page) => page.getByTestId('queue-progress').first().getAttribute('data-done');
  const presenceOn = (page: Page) => page.getByRole('list', { name: 'Reviewers here' }).locator('[data-reviewer-name]').evaluateAll((els) => els.map((e) => e.getAttribute('data-reviewer-name')));

  beforeAll(async () => {
    for (const [i, id] of traceIds.entries()) {
      const res = await postJson(baseUrl, apiKey, '/v1/traces', chatTrace(id, `review-e2e-${run}`, `Question ${i} of run ${run}?`, `Answer ${i}.`));
      expect(res.status).toBe(200);
    }
    await waitForTraces(baseUrl, apiKey, traceIds);

    admin = await adminSession(baseUrl, adminEmail, adminPassword);
    for (const r of [ada, bo]) await addReviewer(baseUrl, admin, r, PASSWORD);
    const created = await admin.fetch('POST', '/api/v1/queues', {
      name: `Review e2e ${run}`,
      guidelines: 'Fail answers that **invent** a policy.',
      reviewersPerItem: 1,
    });
    expect(created.status, await created.clone().text()).toBe(201);
    queueId = ((await created.json()) as { id: string }).id;
    const added = await admin.fetch('POST', `/api/v1/queues/${queueId}/items`, { traceIds });
    expect(await added.json()).toMatchObject({ added: expect.arrayContaining(traceIds), notFound: [] });

    browser = await launchBrowser();
    a = await (await newContext(browser)).newPage();
    b = await (await newContext(browser)).newPage();
    await signIn(a, baseUrl, ada.email, PASSWORD);
    await signIn(b, baseUrl, bo.email, PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('finds the queue in the list with its progress and opens review mode from it', async () => {
    await a.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Queues' }).click();
    await a.waitForURL(/\/queues$/);
    const row = a.locator(`tr[data-queue-id="${queueId}"]`);
    await row.waitFor();
    expect(await row.getByTestId('queue-progress').getAttribute('data-total')).toBe('3');
    await screenshot(a, 'ui-review-queues');
    await row.getByRole('link', { name: 'Review →' }).click();
    await a.waitForURL(new RegExp(`/queues/${queueId}/review$`));
    await a.locator('[data-field-key="verdict"]').waitFor();
  });

  it('claims a different item for each reviewer, and each sees the other one here', async () => {
    await open(b, `${baseUrl}/queues/${queueId}/review`);
    await b.locator('[data-field-key="verdict"]').waitFor();

    const [itemA, itemB] = [await itemOn(a), await itemOn(b)];
    expect(traceIds).toContain(itemA);
    expect(traceIds).toContain(itemB);
    expect(itemA).not.toBe(itemB);

    // Presence arrives over each page's WebSocket.
    await expect.poll(() => presenceOn(a), { timeout: 15_000 }).toEqual(expect.arrayContaining([ada.name, bo.name]));
    await expect.poll(() => presenceOn(b), { timeout: 15_000 }).toEqual(expect.arrayContaining([ada.name, bo.name]));
    expect(await doneOn(a)).toBe('0');
    // The trace under review is on screen, as a chat transcript.
    const question = traceIds.indexOf(itemA!);
    await expect.poll(() => a.locator('article').filter({ hasText: 'Transcript' }).first().textContent()).toContain(`Question ${question} of run ${run}?`);
    await screenshot(a, 'ui-review-reviewer-a');
  });

  it('refuses a submission without the required verdict, beside the field', async () => {
    await a.locator('[data-field-key="verdict"]').focus();
    await a.keyboard.press('Control+Enter');
    const verdict = a.locator('[data-field-key="verdict"]');
    await expect.poll(() => verdict.getAttribute('aria-invalid')).toBe('true');
    expect(await verdict.getByRole('alert').textContent()).toContain('required');
    expect(await doneOn(b)).toBe('0');
  });

  it('submits with digits and Ctrl+Enter, claims the next item, and the other reviewer sees the progress move', async () => {
    const first = await itemOn(a);
    // Verdict: 2 = fail; next field; failure mode 2 = hallucinated_reference.
    await a.locator('[data-field-key="verdict"]').focus();
    await a.keyboard.press('2');
    await a.keyboard.press('j');
    await a.keyboard.press('2');
    await expect.poll(() => a.locator('[data-field-key="verdict"] [role="radio"][aria-checked="true"]').textContent()).toContain('Fail');
    await expect.poll(() => a.locator('[data-field-key="failure_modes"] [role="checkbox"][aria-checked="true"]').textContent()).toContain('hallucinated_reference');
    await a.keyboard.press('Control+Enter');

    await expect.poll(() => itemOn(a), { timeout: 15_000 }).not.toBe(first);
    const next = await itemOn(a);
    expect(traceIds).toContain(next);
    expect(next).not.toBe(await itemOn(b));
    await expect.poll(() => doneOn(b), { timeout: 15_000 }).toBe('1');
    await expect.poll(() => doneOn(a)).toBe('1');
    await screenshot(b, 'ui-review-reviewer-b-after-a-submitted');

    const exported = await admin.fetch('GET', `/api/v1/queues/${queueId}/export?format=jsonl`);
    const rows = (await exported.text()).trim().split('\n').map((l) => JSON.parse(l) as { traceId: string; reviewerName: string; values: unknown });
    expect(rows).toEqual([expect.objectContaining({ traceId: first, reviewerName: ada.name, values: { verdict: 'fail', failure_modes: ['hallucinated_reference'] } })]);
  });

  it('shows each reviewer the done state once nothing is left for them', async () => {
    // Bo passes his item: nothing is left for him, since Ada holds the last one.
    await b.locator('[data-field-key="verdict"]').focus();
    await b.keyboard.press('1');
    await b.keyboard.press('Control+Enter');
    await b.getByRole('heading', { name: 'All done — 1 reviewed' }).waitFor({ timeout: 15_000 });
    await expect.poll(() => doneOn(a), { timeout: 15_000 }).toBe('2');

    await a.locator('[data-field-key="verdict"]').focus();
    await a.keyboard.press('1');
    await a.keyboard.press('Control+Enter');
    await a.getByRole('heading', { name: 'All done — 2 reviewed' }).waitFor({ timeout: 15_000 });
    await expect.poll(() => doneOn(b), { timeout: 15_000 }).toBe('3');
    await screenshot(a, 'ui-review-all-done');

    const progress = await admin.fetch('GET', `/api/v1/queues/${queueId}/progress`);
    expect(await progress.json()).toMatchObject({ total: 3, done: 3, remaining: 0 });
  });
});

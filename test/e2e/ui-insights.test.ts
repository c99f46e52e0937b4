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

/**
 * Nine traces reviewed by two people. They agree on all but trace 7 (a tie, so it has no label).
 * The judge scores them; at its best-F1 threshold (0.8) it fails trace 3, which the humans passed,
 * and passes trace 8, which they failed: κ = 0.5 on 8 labeled traces.
 */
const ANN = ['fail', 'fail', 'fail', 'pass', 'pass', 'pass', 'pass', 'fail', 'fail'];
const BO = ['fail', 'fail', 'fail', 'pass', 'pass', 'pass', 'pass', 'pass', 'fail'];
const SCORES = [0.1, 0.2, 0.6, 0.4, 0.8, 0.85, 0.95, 0.5, 0.9];

describe.skipIf(skipBrowserTests)('evaluator calibration and its closed loop', () => {
  const run = hex(3);
  const evaluator = `judge-e2e-${run}`;
  const traceIds = ANN.map(() => hex(16));
  const reviewers = [
    { email: `ann-cal-${run}@example.com`, name: `Ann Calibrator ${run}`, verdicts: ANN },
    { email: `bo-cal-${run}@example.com`, name: `Bo Calibrator ${run}`, verdicts: BO },
  ];
  const targetName = `Judge blind spots ${run}`;
  let labelQueueId = '';
  let targetQueueId = '';
  let admin: Awaited<ReturnType<typeof adminSession>>;
  let browser: Browser;
  let page: Page;

  screenshotOnFailure('ui-insights', () => [page]);

  beforeAll(async () => {
    for (const [i, id] of traceIds.entries()) {
      const res = await postJson(baseUrl, apiKey, '/v1/traces', chatTrace(id, `calibration-e2e-${run}`, `Calibration question ${i} of ${run}?`, `Answer ${i}.`));
      expect(res.status).toBe(200);
    }
    await waitForTraces(baseUrl, apiKey, traceIds);
    const evaluations = await postJson(baseUrl, apiKey, '/api/v1/evaluations', {
      items: traceIds.map((traceId, i) => ({ traceId, name: evaluator, evaluatorVersion: 'v1', score: SCORES[i], explanation: `Judged ${i}.` })),
    });
    expect(await evaluations.json()).toMatchObject({ stored: traceIds.length, rejected: 0 });

    admin = await adminSession(baseUrl, adminEmail, adminPassword);
    const created = await admin.fetch('POST', '/api/v1/queues', { name: `Calibration labels ${run}`, reviewersPerItem: 2 });
    expect(created.status, await created.clone().text()).toBe(201);
    labelQueueId = ((await created.json()) as { id: string }).id;
    expect(await (await admin.fetch('POST', `/api/v1/queues/${labelQueueId}/items`, { traceIds })).json()).toMatchObject({ added: expect.arrayContaining(traceIds) });
    const target = await admin.fetch('POST', '/api/v1/queues', { name: targetName, reviewersPerItem: 1 });
    targetQueueId = ((await target.json()) as { id: string }).id;

    for (const r of reviewers) {
      await addReviewer(baseUrl, admin, r, PASSWORD);
      const session = await adminSession(baseUrl, r.email, PASSWORD);
      for (const [i, traceId] of traceIds.entries()) {
        const res = await session.fetch('POST', `/api/v1/queues/${labelQueueId}/items/${traceId}/submit`, { values: { verdict: r.verdicts[i] } });
        expect(res.status, await res.clone().text()).toBe(200);
      }
    }

    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
    await signIn(page, baseUrl, adminEmail, adminPassword);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('reaches the calibration from an evaluation on the trace page', async () => {
    await open(page, `${baseUrl}/traces/${traceIds[0]}`);
    const link = page.locator(`[data-evaluation="${evaluator}"]`).getByRole('link', { name: 'Calibration' });
    await link.click();
    await page.waitForURL(/\/insights\/calibration\?/);
    expect(new URL(page.url()).searchParams.get('evaluator')).toBe(evaluator);
    await page.getByTestId('kappa').waitFor();
  });

  it('shows κ and the confusion matrix for the labels of the queue picked', async () => {
    await page.getByRole('form', { name: 'Calibration settings' }).getByLabel('Labels from').selectOption({ label: `Calibration labels ${run}` });
    await page.waitForURL((u) => u.searchParams.get('queueId') === labelQueueId);
    await expect.poll(() => page.getByTestId('n').textContent(), { timeout: 15_000 }).toBe('8');
    expect(await page.getByTestId('kappa').locator('[data-kappa]').textContent()).toBe('0.50');
    const matrix = page.getByTestId('confusion-matrix');
    const cell = (c: string) => matrix.locator(`[data-cell="${c}"] .count`).textContent();
    expect([await cell('tp'), await cell('fp'), await cell('fn'), await cell('tn')]).toEqual(['3', '1', '1', '3']);
    await expect.poll(() => page.getByTestId('too-few').textContent()).toContain('100–200 labeled traces');
    // The disagreements on screen are exactly the two mistakes, the more confident one (0.4 is farther from 0.8 than 0.9) first.
    const rows = page.getByRole('table', { name: 'Disagreements' }).locator('tbody tr');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-trace-id'), tr.getAttribute('data-kind')]))).toEqual([
      [traceIds[3], 'false_positive'],
      [traceIds[8], 'false_negative'],
    ]);
    expect(await rows.first().textContent()).toContain('Judged 3.');
    await screenshot(page, 'ui-insights-calibration');
  });

  it('“Review disagreements” adds those traces to the queue chosen', async () => {
    await page.getByRole('button', { name: 'Review disagreements' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.getByLabel('Queue', { exact: true }).selectOption({ label: targetName });
    await dialog.getByRole('button', { name: 'Add to queue' }).click();
    await expect.poll(() => dialog.getByTestId('route-result').getAttribute('data-added'), { timeout: 15_000 }).toBe('2');
    expect(await dialog.getByRole('link', { name: 'Open queue' }).getAttribute('href')).toBe(`/queues/${targetQueueId}`);
    await screenshot(page, 'ui-insights-review-disagreements');

    const items = await admin.fetch('GET', `/api/v1/queues/${targetQueueId}/items`);
    const body = (await items.json()) as { data: { itemId: string; status: string }[] };
    expect(body.data.map((i) => i.itemId).sort()).toEqual([traceIds[3], traceIds[8]].sort());
    expect(body.data.every((i) => i.status === 'open')).toBe(true);
  });
});

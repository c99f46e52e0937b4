import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, newContext, open, ready, screenshot, screenshotOnFailure, signIn, skipBrowserTests } from './browser';
import { chatTrace, hex, postJson } from './otlp-json';

const baseUrl = inject('baseUrl');
const apiKey = inject('apiKey');
const adminEmail = inject('adminEmail');
const adminPassword = inject('adminPassword');

describe.skipIf(skipBrowserTests)('automations in a browser', () => {
  const run = hex(3);
  const service = `auto-e2e-${run}`;
  const traces = Array.from({ length: 6 }, (_, i) => ({ id: hex(16), question: `Question ${i} of run ${run}?`, score: i < 3 ? 0.1 + i * 0.1 : 0.9 }));
  const low = traces.filter((t) => t.score < 0.5).map((t) => t.id).sort();
  const queueName = `Low faithfulness ${run}`;
  const datasetName = `Hallucinations ${run}`;
  const ruleName = `Faithfulness below 0.5 (${run})`;
  let queueId = '';
  let datasetId = '';
  let ruleUrl = '';
  let browser: Browser;
  let page: Page;

  screenshotOnFailure('ui-automations', () => [page]);

  /** The API as the signed-in admin (the browser's session cookie). */
  async function adminApi<T>(method: 'GET' | 'POST', path: string, data?: unknown): Promise<T> {
    const res = await page.request.fetch(`${baseUrl}/api/v1${path}`, { method, data, headers: { origin: baseUrl } });
    expect(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`).toBe(true);
    return (await res.json()) as T;
  }

  beforeAll(async () => {
    for (const t of traces) {
      const res = await postJson(baseUrl, apiKey, '/v1/traces', chatTrace(t.id, service, t.question, 'An answer.'));
      expect(res.status).toBe(200);
    }
    const evals = await postJson(baseUrl, apiKey, '/api/v1/evaluations', {
      items: traces.map((t) => ({ traceId: t.id, name: 'faithfulness', score: t.score, evaluatorKind: 'llm', evaluatorVersion: 'judge-v1' })),
    });
    expect(await evals.json()).toMatchObject({ stored: traces.length, rejected: 0 });

    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
    await signIn(page, baseUrl, adminEmail, adminPassword);
    queueId = (await adminApi<{ id: string }>('POST', '/queues', { name: queueName })).id;
    datasetId = (await adminApi<{ id: string }>('POST', '/datasets', { name: datasetName })).id;
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('builds a rule with the condition builder; the dry run counts exactly the low-scored traces', async () => {
    await open(page, `${baseUrl}/automations`);
    await Promise.all([page.waitForURL(/\/automations\/new$/), page.getByRole('link', { name: '+ New rule' }).first().click()]);
    await ready(page);

    await page.getByLabel('Name').fill(ruleName);
    const condition = page.getByRole('group', { name: /^Condition:/ });
    await condition.locator('summary', { hasText: 'Add filter' }).click();
    await page.getByRole('menuitem', { name: 'Evaluation score' }).click();
    await page.getByLabel('Evaluator').fill('faithfulness');
    await page.getByRole('combobox', { name: 'Condition' }).selectOption('lt');
    await page.getByRole('spinbutton', { name: 'Score' }).fill('0.5');
    await page.getByRole('button', { name: 'Apply' }).click();
    await condition.locator('summary', { hasText: 'Add filter' }).click();
    await page.getByRole('menuitem', { name: 'Service' }).click();
    await page.getByLabel('Service', { exact: true }).fill(service);
    await page.getByRole('button', { name: 'Apply' }).click();
    const chips = await condition.getByRole('list', { name: 'Filter condition' }).allTextContents();
    expect(chips.join(' ')).toContain('faithfulness < 0.5');
    expect(chips.join(' ')).toContain(`service = ${service}`);

    // Paused, so only the backfill below routes (live routing would race it after the settle window).
    await page.getByRole('switch').uncheck();

    await page.getByRole('radio', { name: '1 h' }).click();
    const dry = page.getByRole('status', { name: 'Dry run result' });
    await expect.poll(() => dry.locator('[data-count="matched"]').textContent(), { timeout: 15_000 }).toBe(String(low.length));
    expect(await dry.locator('[data-count="sampled"]').textContent()).toBe(String(low.length));
    expect(await dry.textContent()).toMatch(new RegExp(`${low.length} match and ${low.length} would be sampled`));
    const linked = await dry.locator('a[href^="/traces/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!.slice('/traces/'.length)));
    expect(linked.sort()).toEqual(low);

    await page.getByRole('button', { name: '+ Queue' }).click();
    await page.getByRole('combobox', { name: 'Add to queue 1' }).selectOption({ label: queueName });
    await page.getByRole('button', { name: '+ Dataset' }).click();
    await page.getByRole('combobox', { name: 'Add to dataset 2' }).selectOption({ label: datasetName });
    await screenshot(page, 'ui-automations-editor');

    await Promise.all([page.waitForURL(/\/automations\/[0-9a-f-]{36}$/), page.getByRole('button', { name: 'Create rule' }).click()]);
    await ready(page);
    ruleUrl = page.url();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(ruleName);
  });

  it('backfills the last hour from the rule page and routes exactly those traces to the queue and the dataset', async () => {
    await page.getByRole('combobox', { name: 'Backfill range' }).selectOption('1h');
    await page.getByRole('button', { name: 'Start backfill' }).click();
    const progress = page.getByRole('status', { name: 'Backfill progress' });
    await progress.locator('[data-status="done"]').waitFor({ timeout: 30_000 });
    expect(await progress.locator('[data-count="routed"]').textContent()).toBe(String(low.length));

    const items = await adminApi<{ data: { traceId: string }[] }>('GET', `/queues/${queueId}/items`);
    expect(items.data.map((i) => i.traceId).sort()).toEqual(low);
    const records = await adminApi<{ data: { source: { traceId: string | null } }[] }>('GET', `/datasets/${datasetId}/records`);
    expect(records.data.map((r) => r.source.traceId).sort()).toEqual(low);

    // The page reloads its counters when the job ends: the last routed trace is one of them.
    const last = page.locator('main header a[href^="/traces/"]');
    await expect.poll(() => last.count()).toBe(1);
    expect(low).toContain((await last.getAttribute('href'))!.slice('/traces/'.length));
    await screenshot(page, 'ui-automations-rule');
  });

  it('lists the rule with its counters, and enables it from the list', async () => {
    await open(page, `${baseUrl}/automations`);
    const row = page.locator('tr', { has: page.getByRole('link', { name: ruleName }) });
    // Checked, matched, sampled, routed, over quota, errors over the last 24 hours; the backfill checked
    // every trace of the hour, other tests' too.
    const [checked, ...rest] = (await row.locator('td.num').allTextContents()).map((c) => c.trim());
    expect(Number(checked.replace(/,/g, ''))).toBeGreaterThanOrEqual(traces.length);
    expect(rest).toEqual([String(low.length), String(low.length), String(low.length), '0', '0']);
    await screenshot(page, 'ui-automations-list');

    const toggle = row.getByRole('switch');
    expect(await toggle.isChecked()).toBe(false);
    await toggle.check();
    await expect.poll(async () => (await adminApi<{ enabled: boolean }>('GET', `/automations/${ruleUrl.split('/').pop()}`)).enabled).toBe(true);
  });

  it('deletes the rule after confirming', async () => {
    await open(page, ruleUrl);
    await page.getByRole('button', { name: 'Delete rule' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain(ruleName);
    await Promise.all([page.waitForURL(/\/automations$/), dialog.getByRole('button', { name: 'Delete rule' }).click()]);
    await ready(page);
    expect(await page.getByRole('link', { name: ruleName }).count()).toBe(0);
  });
});

import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser, newContext, open, ready, screenshot, screenshotOnFailure, signIn, skipBrowserTests } from './browser';
import { chatTrace, hex, postJson } from './otlp-json';

const baseUrl = inject('baseUrl');
const apiKey = inject('apiKey');
const adminEmail = inject('adminEmail');
const adminPassword = inject('adminPassword');

describe.skipIf(skipBrowserTests)('datasets in a browser', () => {
  const run = hex(3);
  const chats = [
    { id: hex(16), question: `Can I return order D-${run}?`, answer: 'Yes, within 30 days.' },
    { id: hex(16), question: `Where is parcel D-${run}?`, answer: 'It left the warehouse today.' },
  ];
  const name = `Golden ${run}`;
  let browser: Browser;
  let page: Page;
  let datasetId = '';

  screenshotOnFailure('ui-datasets', () => [page]);

  beforeAll(async () => {
    for (const c of chats) {
      const res = await postJson(baseUrl, apiKey, '/v1/traces', chatTrace(c.id, `datasets-e2e-${run}`, c.question, c.answer));
      expect(res.status).toBe(200);
    }
    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
    await signIn(page, baseUrl, adminEmail, adminPassword);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('creates a dataset from the datasets page', async () => {
    await open(page, `${baseUrl}/datasets`);
    await page.getByRole('button', { name: '+ New dataset' }).click();
    await page.getByLabel('Name').fill(name);
    await Promise.all([page.waitForURL(/\/datasets\/[0-9a-f-]{36}$/), page.getByRole('button', { name: 'Create dataset' }).click()]);
    datasetId = new URL(page.url()).pathname.split('/').pop()!;
    await ready(page);
    await page.getByRole('heading', { name: 'This dataset is empty' }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(name);
  });

  it('adds the traces matching an explorer filter, mapping the first user message and the answer', async () => {
    await open(page, `${baseUrl}/traces?service=datasets-e2e-${run}`);
    await page.getByRole('button', { name: 'Add matching to dataset…' }).click();
    const dialog = page.getByRole('dialog', { name: /to a dataset/ });
    await expect.poll(async () => (await dialog.getByRole('combobox', { name: 'Dataset' }).locator('option').allTextContents()).join('|')).toContain(name);
    await dialog.getByRole('combobox', { name: 'Dataset' }).selectOption(datasetId);
    await dialog.getByRole('combobox', { name: 'Input from', exact: true }).selectOption('first_user_message');
    await dialog.getByRole('combobox', { name: 'Output from', exact: true }).selectOption('last_assistant_message');
    await dialog.getByRole('button', { name: 'Add to dataset' }).click();
    await expect.poll(() => dialog.getByRole('status').textContent()).toContain(`Added 2 records to “${name}” as version 1.`);
    await screenshot(page, 'ui-datasets-added');
    await dialog.getByRole('button', { name: 'Done' }).click();

    await open(page, `${baseUrl}/datasets/${datasetId}`);
    const rows = page.locator('tr[data-record-id]');
    await expect.poll(() => rows.count()).toBe(2);
    const table = await page.getByRole('table', { name: 'Records' }).textContent();
    for (const c of chats) expect(table).toContain(c.question);
    expect(await page.locator('li[data-version="1"]').textContent()).toContain('+2');
    await screenshot(page, 'ui-datasets-records');
  });

  it('exports JSONL from the dataset page; the downloaded file has the records', async () => {
    await page.getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByRole('dialog', { name: `Export “${name}”` });
    await dialog.getByLabel('JSONL', { exact: false }).check();
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('download-export').click()]);
    expect(download.suggestedFilename()).toBe(`golden-${run}-v1.jsonl`);
    const lines = readFileSync((await download.path())!, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    const byTrace = new Map(lines.map((l) => [l.source.traceId, l]));
    for (const c of chats) {
      expect(byTrace.get(c.id)).toMatchObject({ input: c.question, output: c.answer, expectedOutput: null, addedVersion: 1, source: { kind: 'trace' } });
    }
    await screenshot(page, 'ui-datasets-export');
    await dialog.getByRole('button', { name: 'Close' }).click();
  });
});

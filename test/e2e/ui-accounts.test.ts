import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fullReload, launchBrowser, newContext, open, screenshot, screenshotOnFailure, signIn, skipBrowserTests } from './browser';
import { chatTrace, hex, postJson } from './otlp-json';

const baseUrl = inject('baseUrl');
const demoKey = inject('apiKey');
const adminEmail = inject('adminEmail');
const adminPassword = inject('adminPassword');

const listTraces = (key: string) => fetch(`${baseUrl}/api/v1/traces`, { headers: { authorization: `Bearer ${key}` } });

describe.skipIf(skipBrowserTests)('projects, API keys and invites in a browser', () => {
  const run = hex(3);
  const demoTrace = hex(16);
  const projectName = `E2E project ${run}`;
  const inviteeEmail = `invitee-${run}@example.com`;
  let browser: Browser;
  let page: Page;
  let invitee: Page | undefined;
  let apiKey = '';
  let inviteUrl = '';

  screenshotOnFailure('ui-accounts', () => [page, invitee]);

  /** Opens the project switcher and picks a project; the switch reloads the page. */
  async function switchTo(name: string | RegExp): Promise<void> {
    await page.locator('summary.project-trigger').click();
    await fullReload(page, () => page.getByRole('list', { name: 'Projects' }).getByRole('button', { name }).click());
  }

  const switcherText = () => page.locator('summary.project-trigger').textContent();

  beforeAll(async () => {
    // The demo project has at least this trace, whichever e2e file runs first.
    const sent = await postJson(baseUrl, demoKey, '/v1/traces', chatTrace(demoTrace, `accounts-e2e-${run}`, 'Hello?', 'Hi!'));
    expect(sent.status).toBe(200);
    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
    await signIn(page, baseUrl, adminEmail, adminPassword);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('creates a second project from the switcher and lands on its empty trace list', async () => {
    await page.locator('summary.project-trigger').click();
    await page.getByRole('link', { name: 'New project…' }).click();
    await page.waitForURL(/\/projects\/new/);
    await page.getByLabel('Name').fill(projectName);
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL((url) => url.pathname === '/traces');
    await page.getByRole('heading', { name: 'No traces yet' }).waitFor();
    expect(await switcherText()).toContain(projectName);
  });

  it('switches projects with the switcher: the demo project has traces, the new one is empty', async () => {
    await switchTo(/Demo project/);
    await page.locator(`tr[data-trace-id="${demoTrace}"]`).waitFor();
    expect(await switcherText()).toContain('Demo project');

    await switchTo(new RegExp(projectName));
    await page.getByRole('heading', { name: 'No traces yet' }).waitFor();
    expect(await switcherText()).toContain(projectName);
    expect(await page.locator('tbody tr').count()).toBe(0);
    await screenshot(page, 'ui-accounts-empty-project');
  });

  it('creates an API key with scopes and shows the full key once', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'API keys' }).click();
    await page.waitForURL(/\/settings\/api-keys/);
    await page.getByRole('button', { name: '+ New API key' }).click();

    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill(`e2e reader ${run}`);
    await dialog.getByRole('checkbox', { name: /^read/ }).check();
    await dialog.getByRole('button', { name: 'Create key' }).click();

    const keyField = dialog.getByRole('textbox', { name: 'API key' });
    await keyField.waitFor();
    apiKey = await keyField.inputValue();
    expect(apiKey).toMatch(/^sieve_\S{20,}$/);
    expect(await dialog.textContent()).toContain("you won't see it again");
    await screenshot(page, 'ui-accounts-new-key');

    await dialog.getByRole('button', { name: 'Done' }).click();
    const row = page.locator('tr', { hasText: `e2e reader ${run}` });
    await row.waitFor();
    const rowText = await row.textContent();
    expect(rowText).toContain('active');
    expect(rowText).toContain('ingest');
    expect(rowText).toContain('read');
    // Once the dialog is closed the full key is nowhere on the page.
    expect(await page.content()).not.toContain(apiKey);
  });

  it('the new key reads the new project through the API', async () => {
    const res = await listTraces(apiKey);
    expect(res.status).toBe(200);
    expect((await res.json()).data).toEqual([]);
  });

  it('revokes the key after a confirmation, and the API refuses it from then on', async () => {
    const row = page.locator('tr', { hasText: `e2e reader ${run}` });
    await row.getByRole('button', { name: 'Revoke…' }).click();
    const confirm = page.getByRole('dialog', { name: `Revoke “e2e reader ${run}”?` });
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await expect.poll(() => row.textContent()).toContain('revoked');
    await screenshot(page, 'ui-accounts-revoked');

    const res = await listTraces(apiKey);
    expect(res.status).toBe(401);
  });

  it('invites a viewer, who accepts the link and sees the project read-only', async () => {
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Members' }).click();
    await page.waitForURL(/\/settings\/members/);
    const form = page.getByRole('region', { name: 'Add someone' });
    await form.getByLabel('Email').fill(inviteeEmail);
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByRole('button', { name: 'Create invite link' }).click();
    const link = page.getByRole('textbox', { name: 'Invite link' });
    await link.waitFor();
    inviteUrl = await link.inputValue();
    expect(inviteUrl).toContain('/invite/');
    expect(await page.getByRole('region', { name: 'Pending invites' }).textContent()).toContain(inviteeEmail);

    invitee = await (await newContext(browser)).newPage();
    await open(invitee, inviteUrl);
    expect(await invitee.textContent('body')).toContain(`You are invited to join ${projectName} as viewer`);
    await invitee.getByLabel('Your name').fill('Ivy Invitee');
    await invitee.getByLabel('Choose a password').fill('a-long-enough-password');
    await invitee.getByLabel('Password, again').fill('a-long-enough-password');
    await invitee.getByRole('button', { name: `Join ${projectName}` }).click();
    await invitee.waitForURL((url) => url.pathname === '/traces');
    expect(await invitee.locator('summary.project-trigger').textContent()).toContain(projectName);

    await open(invitee, `${baseUrl}/settings/api-keys`);
    await invitee.getByRole('heading', { name: 'Only admins can see and manage API keys' }).waitFor();
    await screenshot(invitee, 'ui-accounts-viewer-keys');

    // The link worked once.
    await open(invitee, inviteUrl);
    expect(await invitee.textContent('body')).toContain('already been used');
  });
});

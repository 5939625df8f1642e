import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SIGHTLINE_VERSION } from '@sightline/core/version';
import { createTestOrg } from '@sightline/core/testing';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, uniqueEmail, type Stack } from './harness.ts';
import { firstEventLine, submitNewApp, submitSignUp } from './walk.ts';

// The portal's first hour on a fresh installation (no users yet), in headless Chromium
// against the real api, PostgreSQL, Redis and the worker's writers.

let stack: Stack;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  stack = await startStack({ selfMonitoring: false });
}, 600_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await stack?.stop();
});

async function newPage(baseURL = stack.webUrl): Promise<Page> {
  const context = await stack.browser.newContext({ baseURL });
  contexts.push(context);
  return context.newPage();
}

const person = (name: string) => ({ name, email: uniqueEmail(name.toLowerCase()), password: 'plum-orchard-Tiger-42' });

describe('the first hour, on a fresh installation', () => {
  // First: nobody may have signed up before it on this stack.
  it('tells the first account on an empty installation that it is the platform administrator, once', async () => {
    expect(await stack.deps.prisma.user.count()).toBe(0);
    // By invitation only, the empty installation's first account may still sign up (the api
    // lets it in), and the page says what it becomes.
    stack.deps.signupMode = 'invite';
    const page = await newPage();
    await page.goto('/sign-up');
    await page
      .getByText('This installation has no accounts yet: yours will be the first, and its platform administrator.')
      .waitFor();
    const orgId = await submitSignUp(page, person('Founder'), 'First Light');
    delete stack.deps.signupMode;
    await page.getByText('You are the platform administrator of this installation').waitFor({ timeout: 10_000 });
    await page.getByRole('link', { name: 'Platform admin' }).first().waitFor();
    // Said once: not again on the next visit.
    await page.goto(`/o/${orgId}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('First Light');
    expect(await page.getByText('You are the platform administrator of this installation').count()).toBe(0);
  }, 120_000);

  it('/ says what Sightline is and links to Sign in and Create an account; the footer has the version', async () => {
    const page = await newPage();
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sightline', level: 1 }).waitFor();
    const signUp = page.getByRole('link', { name: 'Create an account' });
    expect(await signUp.getAttribute('href')).toBe('/sign-up');
    expect(await page.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/sign-in');
    await page.getByText(`Sightline ${SIGHTLINE_VERSION}`).waitFor();
    await page.getByText('System status: API ready').waitFor();
    await signUp.click();
    await page.waitForURL(/\/sign-up$/);
    for (const label of ['Name', 'Email', 'Password', 'Organization'])
      await page.getByLabel(label, { exact: true }).waitFor();
  }, 120_000);

  it('says when sign-up is closed or needs an invitation, and shows no form then', async () => {
    // The page shows what the api's SIGNUP says, so the two never disagree.
    stack.deps.signupMode = 'closed';
    const closed = await newPage();
    await closed.goto('/sign-up');
    await closed.getByText('Sign-up is closed on this installation. Ask your administrator for an account.').waitFor();
    expect(await closed.getByLabel('Password', { exact: true }).count()).toBe(0);
    expect(await closed.getByRole('button', { name: 'Create account' }).count()).toBe(0);

    stack.deps.signupMode = 'invite';
    const invite = await newPage();
    await invite.goto('/sign-up');
    await invite.getByText('An invitation is needed to create an account on this installation.').waitFor();
    expect(await invite.getByLabel('Password', { exact: true }).count()).toBe(0);
    await invite.getByRole('link', { name: 'Sign in' }).waitFor();
    delete stack.deps.signupMode;
    const open = await newPage();
    await open.goto('/sign-up');
    await open.getByLabel('Password', { exact: true }).waitFor();
    expect(await open.getByText('This installation has no accounts yet', { exact: false }).count()).toBe(0);
  }, 120_000);

  it('creating an app opens its setup page: key, snippets, and a live check that turns "received" after curl', async () => {
    const page = await newPage();
    await page.goto('/sign-up');
    const orgId = await submitSignUp(page, person('Setter'), 'Setup Co');
    // The empty org points to its first app.
    await page.getByRole('link', { name: 'Create your first app' }).click();
    await page.waitForURL(new RegExp(`/o/${orgId}/apps$`));
    const appId = await submitNewApp(page, 'Storefront', 'com.setup.storefront');

    await expect.poll(() => firstEventLine(page).textContent()).toBe('Waiting for your first event…');
    const key = (await page.getByTestId('ingest-key').textContent())!;
    expect(key).toMatch(/^pk_[A-Za-z0-9]+$/);
    await page.getByText('This key is public: it sits in your web pages.').waitFor();
    expect(await page.getByTestId('dsn').textContent()).toBe(`${stack.apiUrl.replace('//', `//${key}@`)}/${appId}`);
    const script = (await page.getByTestId('code-script').textContent())!;
    expect(script).toContain(`<script src="${stack.apiUrl}/sdk/v1/sightline.js"`);
    expect(script).toContain(`Sightline.init({ key: '${key}', endpoint: '${stack.apiUrl}' });`);
    for (const way of ['npm', 'nextjs', 'node', 'sentry', 'curl'])
      expect(await page.getByTestId(`code-${way}`).textContent()).toContain(way === 'sentry' ? `${key}@` : key);
    expect(await page.getByTestId('code-nextjs').textContent()).toContain("from '@sightline/sdk/next/server'");
    expect(await page.getByRole('button', { name: /^Copy / }).count()).toBeGreaterThanOrEqual(10);

    // The app's other pages say there is nothing yet and link back here.
    for (const [tab, text] of [
      ['Analytics', 'No analytics yet'],
      ['Crashes', 'No crash reports yet'],
    ] as const) {
      await page.getByRole('navigation', { name: 'App' }).getByRole('link', { name: tab }).click();
      await page.getByText(text).waitFor();
      const link = page.getByRole('link', { name: 'Set it up' });
      expect(await link.getAttribute('href')).toBe(`/o/${orgId}/apps/${appId}/setup`);
    }
    await page.getByRole('link', { name: 'Set it up' }).click();
    await page.waitForURL(/\/setup$/);

    // The curl example, run as a user would paste it into a shell.
    const curl = (await page.getByTestId('code-curl').textContent())!;
    const { stdout } = await promisify(execFile)('bash', ['-c', curl]);
    expect(JSON.parse(stdout)).toMatchObject({ received: 1 });
    await expect
      .poll(() => firstEventLine(page).textContent(), { timeout: 20_000 })
      .toMatch(/^Received — custom at \d\d:\d\d:\d\d$/);
    expect(await page.getByRole('link', { name: 'Open the dashboard' }).getAttribute('href')).toBe(
      `/o/${orgId}/apps/${appId}/analytics`,
    );

    // The pk_ key is still there after a reload (it is public; sk_ keys are shown once).
    await page.reload();
    await expect.poll(() => page.getByTestId('ingest-key').textContent()).toBe(key);
    await expect.poll(() => firstEventLine(page).textContent()).toMatch(/^Received — custom at /);
  }, 120_000);

  it('offers a new key for apps whose key predates kept keys, and the old one keeps working meanwhile', async () => {
    const page = await newPage();
    await page.goto('/sign-up');
    const orgId = await submitSignUp(page, person('Legacy'), 'Legacy Co');
    await page.goto(`/o/${orgId}/apps`);
    const appId = await submitNewApp(page, 'Old app', 'com.legacy.old');
    const oldKey = (await page.getByTestId('ingest-key').textContent())!;
    // As the migration leaves keys created before it: only the hash.
    await stack.deps.prisma.ingestKey.updateMany({ where: { appId }, data: { plaintext: null } });

    await page.goto(`/o/${orgId}/apps/${appId}`);
    await page.getByText('it cannot be shown again').waitFor();
    await page.getByRole('button', { name: 'Create a new ingest key' }).click();
    await expect.poll(() => page.getByTestId('ingest-key').textContent()).toMatch(/^pk_[A-Za-z0-9]+$/);
    const newKey = (await page.getByTestId('ingest-key').textContent())!;
    expect(newKey).not.toBe(oldKey);
    for (const key of [oldKey, newKey]) {
      const res = await fetch(`${stack.apiUrl}/v1/devices/register`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ app_id: appId, device_id: 'legacy-device' }),
      });
      expect(res.status, key === oldKey ? 'old key (grace period)' : 'new key').toBe(200);
    }
  }, 120_000);

  it('/ takes a signed-in user to the organization they used last', async () => {
    const page = await newPage();
    const user = person('Roamer');
    await page.goto('/sign-up');
    const first = await submitSignUp(page, user, 'Roamer One');
    const other = await createTestOrg(stack.deps.prisma, { name: 'Roamer Two' });
    const { id: userId } = await stack.deps.prisma.user.findUniqueOrThrow({ where: { email: user.email } });
    await stack.deps.prisma.membership.create({ data: { orgId: other.org.id, userId, role: 'MEMBER' } });

    for (const orgId of [other.org.id, first]) {
      await page.goto(`/o/${orgId}/apps`);
      await page.getByRole('heading', { name: 'Apps' }).waitFor();
      await expect.poll(() => page.evaluate(() => document.cookie)).toContain(`sightline-last-org=${orgId}`);
      await page.goto('/');
      await page.waitForURL(new RegExp(`/o/${orgId}$`));
    }
  }, 120_000);
});

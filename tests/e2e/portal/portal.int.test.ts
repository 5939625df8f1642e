import { randomUUID } from 'node:crypto';
import { createDeadLetterStore, runSubjectDeletion, runSubjectExport, storeAndGroupCrashes } from '@sightline/core';
import { createEventWriter } from '@sightline/db/event-store';
import { createTestApp, createTestOrg, testCrashRecord } from '@sightline/core/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, uniqueEmail, waitForMail, type Stack } from './harness.ts';
import { submitSignUp, type NewUser } from './walk.ts';

// A new user's first session with the portal, in headless Chromium against the real api,
// PostgreSQL, Redis and a local SMTP server.

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

async function trpcFromPage(page: Page, path: string, input: unknown): Promise<{ status: number; body: string }> {
  return page.evaluate(
    async ([p, i]) => {
      const res = await fetch(`/api/trpc/${p}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ json: i }),
      });
      return { status: res.status, body: await res.text() };
    },
    [path, input] as const,
  );
}

/** Signs up through the form, as a new user does; returns the new organization's id. */
async function signUp(page: Page, owner: NewUser, org: string) {
  await page.goto('/sign-up');
  return submitSignUp(page, owner, org);
}

describe('portal, as a new user would use it', () => {
  it('sign up → app → ingest key → secret key → invite → the invitee joins as a VIEWER who cannot create keys', async () => {
    const owner = { name: 'Ada Owner', email: uniqueEmail('ada'), password: 'plum-orchard-Tiger-42' };
    const viewer = { name: 'Vic Viewer', email: uniqueEmail('vic'), password: 'quiet-harbor-Lamp-77' };
    const context = await stack.browser.newContext({ baseURL: stack.webUrl });
    const page = await context.newPage();

    // Sign up: the user and their organization in one step.
    await page.goto('/sign-up');
    await page.getByLabel('Name', { exact: true }).fill(owner.name);
    await page.getByLabel('Email', { exact: true }).fill(owner.email);
    await page.getByLabel('Password', { exact: true }).fill(owner.password);
    await page.getByLabel('Organization', { exact: true }).fill('Lighthouse Labs');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);
    const orgId = /\/o\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Lighthouse Labs');

    // The verification email's link confirms the address.
    const verifyPath = await waitForMail(
      stack.mails,
      owner.email,
      /https?:\/\/[^/\s]+(\/verify-email\/[A-Za-z0-9_-]+)/,
    );
    await page.goto(verifyPath);
    await page.getByText(`${owner.email} is confirmed`).waitFor();

    // Create an app and copy its ingest key; the key really ingests.
    await page.goto(`/o/${orgId}/apps`);
    await page.getByLabel('App name', { exact: true }).fill('Checkout Web');
    await page.getByLabel('Bundle id', { exact: true }).fill('com.lighthouse.checkout');
    await page.getByRole('button', { name: 'Create app' }).click();
    // Creating an app lands on its setup page, which shows the key.
    await page.waitForURL(/\/apps\/\d+\/setup$/);
    const ingestKey = (await page.getByTestId('ingest-key').textContent())!;
    expect(ingestKey).toMatch(/^pk_[A-Za-z0-9]+$/);
    const app = await stack.deps.prisma.app.findFirstOrThrow({ where: { orgId, bundleId: 'com.lighthouse.checkout' } });
    const register = await fetch(`${stack.apiUrl}/v1/devices/register`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ app_id: app.id, device_id: 'e2e-device' }),
    });
    expect(register.status).toBe(200);
    await page.goto(`/o/${orgId}/apps`);
    await expect.poll(() => page.getByRole('link', { name: 'Checkout Web', exact: true }).count()).toBe(1);

    // Create a secret key, shown once; it works against the GraphQL API.
    await page.getByRole('navigation').getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Key name', { exact: true }).fill('CI exporter');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('secret-value').first().textContent())!;
    expect(secret).toMatch(/^sk_/);
    const gql = await fetch(`${stack.apiUrl}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ organization { name } }' }),
    });
    expect(await gql.json()).toEqual({ data: { organization: { name: 'Lighthouse Labs' } } });

    // Invite a second person as VIEWER; the invitation arrives by email.
    await page.getByRole('navigation').getByRole('link', { name: 'Members' }).click();
    await page.getByLabel('Email', { exact: true }).fill(viewer.email);
    await page.getByLabel('Role', { exact: true }).selectOption('VIEWER');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText(`Invitation sent to ${viewer.email}.`).waitFor();
    const invitationPath = await waitForMail(
      stack.mails,
      viewer.email,
      /https?:\/\/[^/\s]+(\/invitations\/[A-Za-z0-9_-]+)/,
    );

    // The invitee has no account: they sign up from the link and land in the org as VIEWER.
    const invitee = await (await stack.browser.newContext({ baseURL: stack.webUrl })).newPage();
    await invitee.goto(invitationPath);
    await invitee.getByRole('heading', { name: 'Join Lighthouse Labs on Sightline' }).waitFor();
    await invitee.getByLabel('Name', { exact: true }).fill(viewer.name);
    await invitee.getByLabel('Password', { exact: true }).fill(viewer.password);
    await invitee.getByRole('button', { name: 'Create account and join' }).click();
    await invitee.waitForURL(new RegExp(`/o/${orgId}$`));
    await invitee.getByText('Your role: VIEWER').waitFor();
    await expect.poll(() => invitee.getByRole('heading', { level: 1 }).textContent()).toBe('Lighthouse Labs');

    // The VIEWER is told they cannot manage keys, sees no form, and the api refuses anyway.
    await invitee.getByRole('navigation').getByRole('link', { name: 'API keys' }).click();
    await invitee.getByText('Your role (VIEWER) cannot manage API keys').waitFor();
    expect(await invitee.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    const attempt = await trpcFromPage(invitee, 'keys.create', { orgId, name: 'sneaky', scopes: ['admin'] });
    expect(attempt.status).toBe(403);
    expect(await stack.deps.prisma.apiKey.count({ where: { orgId } })).toBe(1);

    // Signing out and back in with a wrong password says so plainly.
    await invitee.getByRole('button', { name: 'Sign out' }).click();
    await invitee.waitForURL(/\/sign-in/);
    await invitee.getByLabel('Email', { exact: true }).fill(viewer.email);
    await invitee.getByLabel('Password', { exact: true }).fill('not-the-password-1');
    await invitee.getByRole('button', { name: 'Sign in' }).click();
    await invitee.getByText('Wrong email or password.').waitFor();
    await invitee.getByLabel('Password', { exact: true }).fill(viewer.password);
    await invitee.getByRole('button', { name: 'Sign in' }).click();
    await invitee.waitForURL(new RegExp(`/o/${orgId}$`));
  }, 180_000);

  it('lets a platform admin suspend an org: its keys get 403, its members see why, its audit log says who', async () => {
    const tenant = await createTestOrg(stack.deps.prisma, { name: 'Suspendable Co' });
    const app = await createTestApp(stack.deps.prisma, tenant.org.id);
    const operator = { email: uniqueEmail('operator') };
    await createTestOrg(stack.deps.prisma, { name: 'Operator Org', ownerEmail: operator.email });
    const ops = await stack.deps.prisma.user.findUniqueOrThrow({ where: { email: operator.email } });
    // What `npx sightline grant-platform-admin --email` does.
    await stack.deps.prisma.user.update({ where: { id: ops.id }, data: { isPlatformAdmin: true } });
    const register = () =>
      fetch(`${stack.apiUrl}/v1/devices/register`, {
        method: 'POST',
        headers: { authorization: `Bearer ${app.ingestKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ app_id: app.app.id, device_id: 'd1' }),
      });
    expect((await register()).status).toBe(200);

    // A crash report the writers could not store waits on the dead-letter list; the operator
    // replays it from /admin and it is stored.
    const lost = testCrashRecord({ orgId: tenant.org.id, appId: app.app.id });
    await createDeadLetterStore(stack.deps.redis, stack.deps.namespace).push(
      { id: 'crashes/1-0', stream: 'crashes', kind: 'refused', reason: 'e2e: refused once', entry: '1-0' },
      JSON.stringify(lost),
    );
    const page = await (await stack.browser.newContext({ baseURL: stack.webUrl })).newPage();
    await page.goto('/sign-in?next=/admin');
    await page.getByLabel('Email', { exact: true }).fill(operator.email);
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/admin$/);

    const letter = page.getByRole('row').filter({ hasText: 'e2e: refused once' });
    await letter.getByRole('button', { name: 'Replay crashes/1-0' }).click();
    await letter.waitFor({ state: 'detached' });
    await expect
      .poll(() => stack.deps.prisma.crashReport.count({ where: { id: lost.id } }), { timeout: 20_000 })
      .toBe(1);

    const row = page.getByRole('row').filter({ hasText: 'Suspendable Co' });
    await row.getByText(tenant.owner.email).waitFor();
    await page.getByLabel('Suspension reason for Suspendable Co', { exact: true }).fill('unpaid invoice');
    await row.getByRole('button', { name: 'Suspend' }).click();
    await row.getByText('Suspended: unpaid invoice').waitFor();
    await page.getByLabel('Quota of Suspendable Co', { exact: true }).fill('5000');
    await row.getByRole('button', { name: 'Save plan' }).click();
    await expect
      .poll(async () =>
        Number(
          (await stack.deps.prisma.organization.findUniqueOrThrow({ where: { id: tenant.org.id } })).monthlyEventQuota,
        ),
      )
      .toBe(5000);

    // Within a second, the org's keys are refused with a message that says why.
    const refused = await register();
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/suspended/);

    // The org's owner sees the reason in the portal; nothing was deleted.
    const member = await (await stack.browser.newContext({ baseURL: stack.webUrl })).newPage();
    await member.goto('/sign-in');
    await member.getByLabel('Email', { exact: true }).fill(tenant.owner.email);
    await member.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
    await member.getByRole('button', { name: 'Sign in' }).click();
    await member.getByText(/This organization is suspended .*unpaid invoice/).waitFor();
    await member.goto(`/o/${tenant.org.id}/audit`);
    await member.getByRole('cell', { name: 'platform.org_suspended' }).waitFor();
    expect(await stack.deps.prisma.app.count({ where: { orgId: tenant.org.id, deletedAt: null } })).toBe(1);

    // A user who is not an operator is turned away from /admin.
    await member.goto('/admin');
    await member.getByText('this page is for the operators of this Sightline installation').waitFor();
  }, 120_000);

  it('resets a forgotten password by the emailed link; the old password stops working', async () => {
    const { owner } = await createTestOrg(stack.deps.prisma, { name: 'Forgetful Ltd' });
    const page = await (await stack.browser.newContext({ baseURL: stack.webUrl })).newPage();
    await page.goto('/sign-in');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    // The sign-in form (also with an Email field) stays until the new page is in.
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await page.getByLabel('Email', { exact: true }).fill(owner.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText('If an account uses that address').waitFor();
    const resetPath = await waitForMail(
      stack.mails,
      owner.email,
      /https?:\/\/[^/\s]+(\/reset-password\/[A-Za-z0-9_-]+)/,
    );
    await page.goto(resetPath);
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('password is too weak: use at least 10 characters').waitFor();
    await page.getByLabel('New password', { exact: true }).fill('copper-Meadow-58-kettle');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('Your password was changed.').waitFor();

    await page.goto('/sign-in');
    await page.getByLabel('Email', { exact: true }).fill(owner.email);
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Wrong email or password.').waitFor();
    await page.getByLabel('Password', { exact: true }).fill('copper-Meadow-58-kettle');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Forgetful Ltd');
  }, 60_000);

  it('works through crashes and sets up alerts: filter, resolve in a version, comment, channel, rule, test alert', async () => {
    const owner = { name: 'Cy Crash', email: uniqueEmail('cy'), password: 'amber-valley-Fox-31' };
    const context = await stack.browser.newContext({ baseURL: stack.webUrl });
    const page = await context.newPage();
    const orgId = await signUp(page, owner, 'Crash Course');
    const app = await createTestApp(stack.deps.prisma, orgId, { name: 'Shop' });
    // One clock reading: the day the crashes happened is the day the chart must show them on.
    const crashedAt = Date.now() - 1000;
    const crashDay = new Date(crashedAt).toISOString().slice(0, 10);
    const client = await stack.deps.pool.connect();
    try {
      await client.query('BEGIN');
      await storeAndGroupCrashes(client, [
        ...Array.from({ length: 3 }, (_, i) =>
          testCrashRecord(
            { orgId, appId: app.app.id },
            {
              message: 'cart is undefined',
              stackTrace: `TypeError: cart is undefined\n    at renderCart (/srv/app/cart.js:${10 + i}:5)`,
              appVersion: '1.9.0',
              deviceId: `d${i}`,
              occurredAt: crashedAt,
            },
          ),
        ),
        testCrashRecord(
          { orgId, appId: app.app.id },
          {
            crashType: 'RangeError',
            message: 'page 99 out of range',
            stackTrace: 'RangeError: x\n    at paginate (/srv/app/list.js:3:1)',
          },
        ),
      ]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }

    await page.goto(`/o/${orgId}/apps/${app.app.id}`);
    await page.getByRole('link', { name: 'Crashes' }).click();
    const rows = page.getByRole('table', { name: 'Crash groups' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    await page.getByLabel('Search', { exact: true }).fill('cart');
    await expect.poll(() => rows.count()).toBe(1);
    await expect
      .poll(() => rows.first().textContent())
      .toMatch(/TypeError.*cart is undefined.*renderCart \(cart\.js\)crash \(3 unhandled\)open3/);

    await page.getByRole('link', { name: 'TypeError' }).click();
    await page.getByLabel('Stack trace').getByText('at renderCart').waitFor();
    // The last 30 days: today's three occurrences on three devices, as bars and as a table.
    await page.getByRole('img', { name: 'Occurrences per day' }).waitFor();
    await page.getByText('As a table').click();
    await expect
      .poll(() =>
        page
          .getByRole('table', { name: 'Occurrences per day (table)' })
          .locator('tbody tr')
          .filter({ hasText: crashDay })
          .textContent(),
      )
      .toBe(`${crashDay}33`);
    expect(await page.getByRole('table', { name: 'Versions' }).locator('tbody').textContent()).toBe('1.9.03');
    await page.getByLabel('Assignee', { exact: true }).selectOption({ label: owner.name });
    await expect
      .poll(
        async () =>
          (await stack.deps.prisma.crashGroup.findFirst({ where: { orgId, crashType: 'TypeError' } }))?.assigneeId,
      )
      .toBe((await stack.deps.prisma.user.findUniqueOrThrow({ where: { email: owner.email } })).id);
    await page.getByLabel('Resolved in version', { exact: true }).fill('2.0.0');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => page.getByLabel('Crash status').textContent()).toBe('Status: resolved in 2.0.0');
    await page.getByLabel('Comment', { exact: true }).fill('Fixed by null-checking the cart in 2.0.0');
    await page.getByRole('button', { name: 'Add comment' }).click();
    await page.getByText('Fixed by null-checking the cart in 2.0.0').waitFor();
    const group = await stack.deps.prisma.crashGroup.findFirstOrThrow({ where: { orgId, crashType: 'TypeError' } });
    expect(group).toMatchObject({ status: 'resolved', resolvedInVersion: '2.0.0' });

    await page.getByRole('navigation').getByRole('link', { name: 'Alerts' }).click();
    await page.getByLabel('Channel kind', { exact: true }).selectOption('WEBHOOK');
    await page.getByLabel('Channel name', { exact: true }).fill('ops hook');
    await page.getByLabel('Webhook URL', { exact: true }).fill('https://hooks.example.test/sightline');
    await page.getByRole('button', { name: 'Add channel' }).click();
    expect(await page.getByTestId('secret-value').first().textContent()).toMatch(/^whsec_/);
    await page.getByLabel('Rule name', { exact: true }).fill('Tell ops about new crashes');
    await page.getByLabel('ops hook').check();
    await page.getByRole('button', { name: 'Add rule' }).click();
    await expect
      .poll(() => page.getByRole('table', { name: 'Rules' }).textContent())
      .toMatch(/Tell ops about new crashes.*A new crash.*every app.*ops hook/);
    await page.getByLabel('Rule name', { exact: true }).fill('Slow LCP');
    await page.getByLabel('Alert when', { exact: true }).selectOption('PERF_THRESHOLD');
    await page.getByLabel('Threshold', { exact: true }).fill('2500');
    await page.getByLabel('Digest: one message per minutes').fill('10');
    await page.getByLabel('Quiet from').fill('22:00');
    await page.getByLabel('Quiet until').fill('07:00');
    await page.getByLabel('Time zone', { exact: true }).fill('Europe/Berlin');
    await page.getByLabel('ops hook').check();
    await page.getByRole('button', { name: 'Add rule' }).click();
    await expect
      .poll(() => page.getByRole('table', { name: 'Rules' }).textContent())
      .toMatch(
        /Slow LCP.*web_vital LCP p75 above 2500 over 60 min.*one message per 10 min; quiet 22:00–07:00 Europe\/Berlin/,
      );
    await page.getByRole('button', { name: 'Send test alert' }).click();
    await expect
      .poll(() => page.getByRole('table', { name: 'Delivery log' }).textContent())
      .toMatch(/ops hook.*Test alert for ops hook.*PENDING/);
    await context.close();
  });
  it("handles privacy: exports and deletes an end user's data, exports the org, deletes an app's data", async () => {
    const owner = { name: 'Pia Privacy', email: uniqueEmail('pia'), password: 'lemon-harbor-Owl-58' };
    const context = await stack.browser.newContext({ baseURL: stack.webUrl });
    const page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    const orgId = await signUp(page, owner, 'Quiet Notes');
    const app = await createTestApp(stack.deps.prisma, orgId, { name: 'Notes' });
    const event = (userId: string, device: string) => ({
      orgId,
      appId: app.app.id,
      id: randomUUID(),
      occurredAt: Date.now() - 60_000,
      receivedAt: Date.now(),
      type: 'screen_view',
      name: 'editor',
      deviceId: device,
      userId,
    });
    await createEventWriter(stack.deps.pool).write([
      ...Array.from({ length: 7 }, () => event('u-42', 'device-of-u42')),
      ...Array.from({ length: 5 }, () => event('u-77', 'device-of-u77')),
    ]);
    const events = async (where = 'true') =>
      (
        await stack.deps.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM events WHERE app_id = $1 AND ${where}`,
          [app.app.id],
        )
      ).rows[0]!.n;
    const latestRequest = async () =>
      (
        await stack.deps.pool.query<{ id: string }>(
          'SELECT id FROM gdpr_requests WHERE org_id = $1 ORDER BY created_at DESC LIMIT 1',
          [orgId],
        )
      ).rows[0]!.id;
    const requests = page.getByRole('table', { name: 'Privacy requests' });

    // An end user asks, by support ticket, for their data: the admin exports it for them.
    await page.goto(`/o/${orgId}/privacy`);
    const form = page.getByRole('form', { name: 'Request for an end user' });
    await form.getByLabel('User id').fill('u-42');
    await form.getByLabel('Request').selectOption('EXPORT');
    await form.getByRole('button', { name: 'Send request' }).click();
    await page.getByText('Export scheduled').waitFor();
    await requests.getByText('pending').waitFor();
    await runSubjectExport(stack.deps.pool, await latestRequest()); // the worker's job
    const download = requests.getByRole('link', { name: 'Download' });
    await download.waitFor({ timeout: 15_000 }); // the list follows open requests by itself
    const file = await page.request.get((await download.getAttribute('href'))!);
    expect(file.status()).toBe(200);
    // Served gzip-encoded: what the browser saves is the JSON itself.
    expect(file.headers()['content-disposition']).toContain('sightline-export.json');
    const bundle = (await file.json()) as {
      events: Array<{ user_id: string }>;
    };
    expect(bundle.events.map((e) => e.user_id)).toEqual(Array(7).fill('u-42'));

    // Then their deletion, confirmed in a dialog.
    await form.getByLabel('Request').selectOption('DELETE');
    await form.getByRole('button', { name: 'Send request' }).click();
    await page.getByText('Deletion scheduled').waitFor();
    await runSubjectDeletion(stack.deps.pool, await latestRequest());
    await requests.getByText('rows removed').waitFor({ timeout: 15_000 });
    expect(await events("user_id = 'u-42'")).toBe(0);
    expect(await events("user_id = 'u-77'")).toBe(5);

    // Someone known to the app only by their device: the id as the SDK sent it.
    await form.getByLabel('Identify them by').selectOption('deviceId');
    await form.getByLabel('Device id').fill('install-7f3a');
    await form.getByLabel('Request').selectOption('EXPORT');
    await form.getByRole('button', { name: 'Send request' }).click();
    await page.getByText('Export scheduled').waitFor();

    // The whole organization's export.
    await page.getByRole('button', { name: 'Export organization data' }).click();
    await expect.poll(async () => await requests.locator('tbody tr').count()).toBe(4);
    await runSubjectExport(stack.deps.pool, await latestRequest());
    // The organization's bundle is ready; u-42's went with their data, its link with it.
    await expect
      .poll(() => requests.locator('tbody tr').first().getByRole('link', { name: 'Download' }).count(), {
        timeout: 15_000,
      })
      .toBe(1);
    expect(await requests.getByRole('link', { name: 'Download' }).count()).toBe(1);
    expect(await requests.locator('tbody tr').last().textContent()).toContain('expired');
    await page.screenshot({ path: new URL('./screenshots/privacy.png', import.meta.url).pathname, fullPage: true });

    // Deleting the app's data takes its exact name.
    await page.goto(`/o/${orgId}/apps/${app.app.id}`);
    const wipe = page.getByRole('form', { name: "Delete this app's data" });
    const button = wipe.getByRole('button', { name: 'Delete all data of this app' });
    await wipe.getByLabel(/Type the app's name/).fill('notes');
    expect(await button.isDisabled()).toBe(true);
    await wipe.getByLabel(/Type the app's name/).fill('Notes');
    await button.click();
    await wipe.getByText('Deletion scheduled').waitFor();
    await runSubjectDeletion(stack.deps.pool, await latestRequest());
    expect(await events()).toBe(0);
    await wipe.getByRole('link', { name: 'Follow it on the Privacy page' }).click();
    await requests.getByText('Deletion of app data').waitFor();
    await context.close();
  });

  it('reports its own page views, by route, to the Sightline app it is pointed at', async () => {
    const context = await stack.browser.newContext({ baseURL: stack.webUrl });
    try {
      const page = await context.newPage();
      const owner = { name: 'Watcher', email: uniqueEmail('watcher'), password: 'correct horse battery staple' };
      const orgId = await signUp(page, owner, 'Watched Co');
      await page.goto(`/o/${orgId}/members`);
      await page.getByRole('heading', { name: 'Members' }).first().waitFor();
      await page.close({ runBeforeUnload: true }); // what is queued goes as the tab closes
      const views = async () =>
        (await stack.deps.prisma.event.findMany({ where: { appId: stack.monitoring!.appId, type: 'page_view' } })).map(
          (e) => e.name,
        );
      await expect
        .poll(views, { timeout: 20_000 })
        .toEqual(expect.arrayContaining(['/o/[orgId]', '/o/[orgId]/members']));
      // Organization ids are folded into the route: the operator's dashboards group pages, not tenants.
      expect((await views()).some((name) => name?.includes(orgId))).toBe(false);
    } finally {
      await context.close();
    }
  });

  it('sends its security headers, renders under its CSP, and signs in only to same-origin paths', async () => {
    const context = await stack.browser.newContext({ baseURL: stack.webUrl });
    try {
      const page = await context.newPage();
      const refused: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy|Content-Security-Policy/i.test(m.text())) refused.push(m.text());
      });
      const owner = { name: 'Heady', email: uniqueEmail('heady'), password: 'amber-valley-Stone-19' };
      await signUp(page, owner, 'Headers Inc');
      await page.context().clearCookies();

      const signInPage = await page.goto('/sign-in?next=/%5Cevil.example');
      const headers = signInPage!.headers();
      expect(headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(headers['content-security-policy']).toMatch(/script-src 'self'/);
      expect(headers['x-frame-options']).toBe('DENY');
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      expect(headers['permissions-policy']).toMatch(/camera=\(\)/);

      // The reported open redirect: `/\evil.example` is `//evil.example` to a browser.
      await page.getByLabel('Email', { exact: true }).fill(owner.email);
      await page.getByLabel('Password', { exact: true }).fill(owner.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname.startsWith('/o'));
      expect(new URL(page.url()).origin).toBe(new URL(stack.webUrl).origin);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      expect(refused).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

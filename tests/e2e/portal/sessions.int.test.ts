import { createTestOrg } from '@sightline/core/testing';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './harness.ts';

// Sessions that end, as a user sees them: after a password change or "sign out everywhere",
// another browser that held a session is back at the sign-in page, not on a page of errors.

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
}, 900_000); // the first e2e file of a run builds the portal (minutes on a busy machine)

afterAll(async () => {
  await stack?.stop();
});

async function signedIn(email: string, password: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await stack.browser.newContext({ baseURL: stack.webUrl });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);
  return { context, page };
}

describe('portal sessions', () => {
  it('a password change signs out other browsers; sign out everywhere signs out this one too', async () => {
    const { org, owner } = await createTestOrg(stack.deps.prisma, { name: 'Two Laptops Ltd' });
    const laptop = await signedIn(owner.email, 'correct horse battery staple');
    const phone = await signedIn(owner.email, 'correct horse battery staple');

    await phone.page.getByRole('link', { name: owner.email }).click();
    await phone.page.getByRole('heading', { name: 'Your account' }).waitFor();
    await phone.page.getByLabel('Current password', { exact: true }).fill('not my password');
    await phone.page.getByLabel('New password', { exact: true }).fill('copper-Meadow-58-kettle');
    await phone.page.getByRole('button', { name: 'Change password' }).click();
    await phone.page.getByText('the current password is wrong').waitFor();
    await phone.page.getByLabel('Current password', { exact: true }).fill('correct horse battery staple');
    await phone.page.getByLabel('New password', { exact: true }).fill('copper-Meadow-58-kettle');
    await phone.page.getByRole('button', { name: 'Change password' }).click();
    await phone.page.getByText('Your password was changed. Every other session has been signed out.').waitFor();

    // The laptop's cookie is still sealed and unexpired, but the api no longer honours it.
    await laptop.page.goto(`/o/${org.id}`);
    await laptop.page.waitForURL(/\/sign-in$/);
    // The phone signed in again with the new password and stays in.
    await phone.page.goto(`/o/${org.id}`);
    await expect.poll(() => phone.page.getByRole('heading', { level: 1 }).textContent()).toBe('Two Laptops Ltd');

    await phone.page.goto('/account');
    await phone.page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await phone.page.waitForURL(/\/sign-in$/);
    await phone.page.goto(`/o/${org.id}`);
    await phone.page.waitForURL(/\/sign-in$/);
    await laptop.context.close();
    await phone.context.close();
  }, 120_000);
});

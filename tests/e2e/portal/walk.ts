import type { Page } from 'playwright-core';

// Steps a new user takes in the portal, shared by the onboarding and newcomer tests.

export interface NewUser {
  name: string;
  email: string;
  password: string;
}

/** Fills the sign-up form (already open) and submits it; returns the new organization's id. */
export async function submitSignUp(page: Page, user: NewUser, organization: string): Promise<string> {
  await page.getByLabel('Name', { exact: true }).fill(user.name);
  await page.getByLabel('Email', { exact: true }).fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByLabel('Organization', { exact: true }).fill(organization);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(/\/o\/[0-9a-f-]{36}$/);
  return /\/o\/([0-9a-f-]{36})/.exec(page.url())![1]!;
}

/** Fills the apps page's form (already open) and submits it; returns the app id from the setup page it lands on. */
export async function submitNewApp(page: Page, name: string, bundleId: string): Promise<number> {
  await page.getByLabel('App name', { exact: true }).fill(name);
  await page.getByLabel('Bundle id', { exact: true }).fill(bundleId);
  await page.getByRole('button', { name: 'Create app' }).click();
  await page.waitForURL(/\/apps\/\d+\/setup$/);
  return Number(/\/apps\/(\d+)\/setup$/.exec(page.url())![1]);
}

/** The live check's line on the setup page. */
export const firstEventLine = (page: Page) => page.getByTestId('first-event');

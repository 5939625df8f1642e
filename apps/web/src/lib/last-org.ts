// The organization the user last worked in, remembered in a cookie so `/` (and the org
// picker) can take them back to it. Not a credential: membership is checked on every call.

export const LAST_ORG_COOKIE = 'sightline-last-org';

const ORG_ID = /^[0-9a-f-]{36}$/;

/** Remembers the org of the page being shown (browser only). */
export function rememberOrg(orgId: string): void {
  if (!ORG_ID.test(orgId)) return;
  document.cookie = `${LAST_ORG_COOKIE}=${orgId}; path=/; max-age=${365 * 86_400}; samesite=lax`;
}

/** The cookie's org id as the browser has it, when it is one. */
export function rememberedOrg(cookieHeader: string): string | null {
  for (const part of cookieHeader.split(';')) {
    const [name, value] = part.trim().split('=');
    if (name === LAST_ORG_COOKIE && value && ORG_ID.test(value)) return value;
  }
  return null;
}

/** Where a signed-in user goes: the remembered org if they still belong to it, else their first, else the picker. */
export function homeOf(organizations: ReadonlyArray<{ id: string }>, remembered: string | null): string {
  const org = organizations.find((o) => o.id === remembered) ?? organizations[0];
  return org ? `/o/${org.id}` : '/orgs';
}

'use client';

import { SIGHTLINE_VERSION } from '@sightline/core/contracts';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { rememberOrg } from '../lib/last-org';
import { errorMessage, useTRPC } from '../lib/trpc';
import { SignOutButton } from './sign-out-button';
import { Notice } from './ui';
import { useSignedOutRedirect } from './use-signed-out-redirect';
import { VerifyEmailReminder } from './verify-email-reminder';

const NAV = [
  ['', 'Overview'],
  ['/apps', 'Apps'],
  ['/alerts', 'Alerts'],
  ['/keys', 'API keys'],
  ['/members', 'Members'],
  ['/privacy', 'Privacy'],
  ['/audit', 'Audit log'],
  ['/settings', 'Settings'],
] as const;

/** The frame of every page inside an organization: switcher, navigation, suspension notice. */
export function OrgShell({ orgId, children }: { orgId: string; children: ReactNode }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const me = useQuery(trpc.auth.me.queryOptions());
  useSignedOutRedirect(me.error);
  const org = me.data?.organizations.find((o) => o.id === orgId);
  const base = `/o/${orgId}`;
  const member = Boolean(org);
  // `/` takes the user back here next time.
  useEffect(() => {
    if (member) rememberOrg(orgId);
  }, [member, orgId]);

  return (
    <div className="portal">
      <aside className="sidebar">
        <strong>Sightline</strong>
        <label className="field">
          <span className="field-label">Organization</span>
          <select
            aria-label="Organization"
            value={orgId}
            onChange={(e) => router.push(e.target.value === 'new' ? '/orgs/new' : `/o/${e.target.value}`)}
          >
            {me.data?.organizations.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
            <option value="new">+ New organization…</option>
          </select>
        </label>
        <nav>
          {NAV.map(([path, label]) => (
            <Link key={label} href={`${base}${path}`} aria-current={pathname === `${base}${path}` ? 'page' : undefined}>
              {label}
            </Link>
          ))}
          {me.data?.user.isPlatformAdmin ? <Link href="/admin">Platform admin</Link> : null}
        </nav>
        <div style={{ marginTop: 'auto' }} className="stack">
          <Link href="/account" className="muted">
            {me.data?.user.email}
          </Link>
          {org ? <span className="muted">Your role: {org.role}</span> : null}
          <SignOutButton />
          <span className="portal-footer">Sightline {SIGHTLINE_VERSION}</span>
        </div>
      </aside>
      <main className="content">
        {me.error ? <Notice kind="error">{errorMessage(me.error)}</Notice> : null}
        {me.data && !org ? (
          <Notice kind="error">This organization does not exist or you are not a member of it.</Notice>
        ) : null}
        {org?.suspended ? (
          <Notice kind="error">
            This organization is suspended by the operators of this Sightline installation
            {org.suspendedReason ? `: ${org.suspendedReason}` : ''}. Its keys are refused at ingestion; nothing has been
            deleted.
          </Notice>
        ) : null}
        {me.data?.user && !me.data.user.emailVerified ? <VerifyEmailReminder /> : null}
        {org ? children : null}
      </main>
    </div>
  );
}

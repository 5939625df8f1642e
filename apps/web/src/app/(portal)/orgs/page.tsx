'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { Notice } from '~/components/ui';
import { homeOf, rememberedOrg } from '~/lib/last-org';
import { errorMessage, useTRPC } from '~/lib/trpc';

/** After sign-in: straight into the last (or first) organization, or an offer to create one. */
export default function OrgPickerPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const me = useQuery(trpc.auth.me.queryOptions());
  const first = me.data?.organizations[0];
  const organizations = me.data?.organizations;
  useEffect(() => {
    if (organizations?.length) router.replace(homeOf(organizations, rememberedOrg(document.cookie)));
  }, [organizations, router]);

  return (
    <main className="auth">
      <h1>Your organizations</h1>
      <Notice kind="error">{me.error ? errorMessage(me.error) : null}</Notice>
      {me.data && !first ? (
        <p>
          You do not belong to any organization yet. <Link href="/orgs/new">Create one</Link>, or open an invitation
          link you were sent.
        </p>
      ) : (
        <p className="muted">Loading…</p>
      )}
      {me.data?.user.isPlatformAdmin ? (
        <p>
          <Link href="/admin">Platform admin</Link>
        </p>
      ) : null}
    </main>
  );
}

'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { Notice, Section } from '~/components/ui';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { useOrg } from '~/lib/use-org';
import { takeWelcome } from '~/lib/welcome';

export default function OrgOverviewPage() {
  const { orgId, role } = useOrg();
  const trpc = useTRPC();
  const org = useQuery(trpc.orgs.get.queryOptions({ orgId }));
  const apps = useQuery(trpc.apps.list.queryOptions({ orgId }));
  const members = useQuery(trpc.members.list.queryOptions({ orgId }));
  const error = org.error ?? apps.error ?? members.error;
  const me = useQuery(trpc.auth.me.queryOptions());
  const [welcome, setWelcome] = useState(false);
  // Read after mount: sessionStorage is the browser's, and the note is for this visit only.
  useEffect(() => setWelcome(takeWelcome(orgId)), [orgId]);
  const platformAdmin = welcome && me.data?.user.isPlatformAdmin === true;

  return (
    <>
      <h1>{org.data?.name ?? '…'}</h1>
      <p className="muted">
        Slug <code>{org.data?.slug}</code> · plan {org.data?.plan} · your role {role}
      </p>
      <Notice kind="error">{error ? errorMessage(error) : null}</Notice>
      {welcome ? (
        <Notice kind="ok">Welcome to Sightline: your account and {org.data?.name ?? 'organization'} are ready.</Notice>
      ) : null}
      {platformAdmin ? (
        <Notice kind="info">
          You are the platform administrator of this installation: the first account gets that role. The{' '}
          <Link href="/admin">Platform admin</Link> page lists every organization, its plan and quota.
        </Notice>
      ) : null}
      {apps.data?.length === 0 ? (
        <Section title="Get started">
          <p>
            Nothing is sending data to this organization yet.{' '}
            <Link href={`/o/${orgId}/apps`}>Create your first app</Link> — a website, a Node service or a mobile app —
            and Sightline shows you the snippet to paste, then waits for the first event.
          </p>
        </Section>
      ) : null}
      <Section title="At a glance">
        <ul>
          <li>
            <Link href={`/o/${orgId}/apps`}>Apps</Link>: {apps.data?.length ?? '…'}
          </li>
          <li>
            <Link href={`/o/${orgId}/members`}>Members</Link>: {members.data?.length ?? '…'}
          </li>
          <li>
            <Link href={`/o/${orgId}/keys`}>API keys</Link> for servers and the GraphQL API
          </li>
          <li>
            <Link href={`/o/${orgId}/audit`}>Audit log</Link> of changes to this organization
          </li>
          <li>
            <Link href={`/o/${orgId}/settings`}>Settings</Link>: name and slug
          </li>
        </ul>
      </Section>
    </>
  );
}

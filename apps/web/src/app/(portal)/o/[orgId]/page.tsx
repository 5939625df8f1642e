'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { Notice, Section } from '../../../../components/ui';
import { errorMessage, useTRPC } from '../../../../lib/trpc';
import { useOrg } from '../../../../lib/use-org';

export default function OrgOverviewPage() {
  const { orgId, role } = useOrg();
  const trpc = useTRPC();
  const org = useQuery(trpc.orgs.get.queryOptions({ orgId }));
  const apps = useQuery(trpc.apps.list.queryOptions({ orgId }));
  const members = useQuery(trpc.members.list.queryOptions({ orgId }));
  const error = org.error ?? apps.error ?? members.error;

  return (
    <>
      <h1>{org.data?.name ?? '…'}</h1>
      <p className="muted">
        Slug <code>{org.data?.slug}</code> · plan {org.data?.plan} · your role {role}
      </p>
      <Notice kind="error">{error ? errorMessage(error) : null}</Notice>
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

'use client';

import { roleAtLeast, type Role } from '@sightline/core/contracts';
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { useTRPC } from './trpc';

/** The org of the current page and the signed-in user's role in it. */
export function useOrg() {
  const { orgId } = useParams<{ orgId: string }>();
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const org = me.data?.organizations.find((o) => o.id === orgId);
  const role = org?.role ?? 'VIEWER';
  return {
    orgId,
    org,
    role,
    /** Whether the user's role reaches `least` (the api enforces the same table). */
    atLeast: (least: Role) => roleAtLeast(role, least),
  };
}

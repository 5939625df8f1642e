'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useTRPC } from '~/lib/trpc';

/** Reloads every alerts query after a change: a new channel shows in the rule form's list too. */
export function useRefreshAlerts(): () => Promise<void> {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries(trpc.alerts.pathFilter());
}

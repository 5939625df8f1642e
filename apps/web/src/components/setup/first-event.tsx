'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { useOrg } from '~/lib/use-org';

const POLL_MS = 2_000;

/** The newest event or crash stored for an app; with `poll`, asks every 2 s until there is one. */
export function useLatestReceived(appId: number, poll = false) {
  const { orgId } = useOrg();
  const trpc = useTRPC();
  return useQuery(
    trpc.apps.latestReceived.queryOptions(
      { orgId, appId },
      { refetchInterval: (query) => (poll && !query.state.data ? POLL_MS : false), staleTime: poll ? 0 : 5_000 },
    ),
  );
}

const timeOf = (d: Date | string): string => new Date(d).toLocaleTimeString('en-GB');

/** "Waiting for your first event…" until the app's first event or crash is stored, then "Received — …". */
export function FirstEventCheck({ appId }: { appId: number }) {
  const { orgId } = useOrg();
  const latest = useLatestReceived(appId, true);
  const received = latest.data;
  return (
    <section className={`panel first-event ${received ? 'received' : 'waiting'}`} aria-labelledby="first-event-heading">
      <h2 id="first-event-heading">Live check</h2>
      <p className="status-line" role="status" data-testid="first-event">
        <span className="dot" aria-hidden="true" />
        {received ? `Received — ${received.type} at ${timeOf(received.receivedAt)}` : 'Waiting for your first event…'}
      </p>
      {received ? (
        <p>
          <Link href={`/o/${orgId}/apps/${appId}/analytics`}>Open the dashboard</Link>
          {received.kind === 'crash' ? (
            <>
              {' '}
              or <Link href={`/o/${orgId}/apps/${appId}/crashes`}>see the crash</Link>
            </>
          ) : null}
        </p>
      ) : (
        <p className="muted">
          This checks every 2 seconds. Install one of the snippets below and load a page, or send the curl example.
        </p>
      )}
      {latest.error ? <p className="muted">Could not check: {errorMessage(latest.error)}</p> : null}
    </section>
  );
}

/** An empty state: nothing has arrived for this app yet, and where to start. */
export function NoDataYet({ appId, what = 'data' }: { appId: number; what?: string }) {
  const { orgId } = useOrg();
  const latest = useLatestReceived(appId);
  if (latest.data !== null) return null;
  return (
    <p className="notice notice-info empty-state" role="status">
      No {what} yet: this app has not sent anything. <Link href={`/o/${orgId}/apps/${appId}/setup`}>Set it up</Link> —
      one snippet, and the first event shows within seconds.
    </p>
  );
}

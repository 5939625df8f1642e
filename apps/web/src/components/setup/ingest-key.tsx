'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { useOrg } from '~/lib/use-org';
import { Notice, Section, formatDate } from '../ui';
import { CopyBlock } from './copy-block';

/** Days the key a replacement supersedes keeps working, so pages already deployed can move over. */
const REPLACE_GRACE_HOURS = 7 * 24;

/**
 * The app's `pk_` key and DSN, shown whenever asked: the key is public by design (it sits in
 * every page that sends telemetry). `sk_` keys are another matter and stay shown once.
 */
export function IngestKeyPanel({ appId }: { appId: number }) {
  const { orgId, role, atLeast } = useOrg();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const key = useQuery(trpc.apps.ingestKey.queryOptions({ orgId, appId }));
  const replace = useMutation(
    trpc.apps.rotateIngestKey.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.apps.ingestKey.queryFilter({ orgId, appId })),
    }),
  );

  return (
    <Section title="Ingest key">
      <div className="stack">
        <Notice kind="error">{key.error ? errorMessage(key.error) : null}</Notice>
        {key.data?.key ? (
          <>
            <CopyBlock label="Ingest key" code={key.data.key} testId="ingest-key" />
            {key.data.dsn ? <CopyBlock label="DSN (Sentry SDKs)" code={key.data.dsn} testId="dsn" /> : null}
            <p className="muted">
              This key is public: it sits in your web pages. It can only send telemetry to this app (limit where from
              with the app&apos;s allowed origins); reading data needs a secret key.
            </p>
          </>
        ) : null}
        {key.data && !key.data.key ? (
          <>
            <Notice kind="info">
              This app&apos;s ingest key{key.data.prefix ? ` (${key.data.prefix}…)` : ''} was created
              {key.data.createdAt ? ` on ${formatDate(key.data.createdAt)}` : ''}, before Sightline kept ingest keys:
              only its hash is stored, so it cannot be shown again. Create a new ingest key to see it here; the current
              one keeps working for 7 days, time to update your pages.
            </Notice>
            {atLeast('ADMIN') ? (
              <div>
                <button
                  type="button"
                  disabled={replace.isPending}
                  onClick={() => replace.mutate({ orgId, appId, graceHours: REPLACE_GRACE_HOURS })}
                >
                  Create a new ingest key
                </button>
              </div>
            ) : (
              <p className="muted">Your role ({role}) cannot create keys; ask an ADMIN.</p>
            )}
            <Notice kind="error">{replace.error ? errorMessage(replace.error) : null}</Notice>
          </>
        ) : null}
        {!key.data && !key.error ? <p className="muted">Loading…</p> : null}
      </div>
    </Section>
  );
}

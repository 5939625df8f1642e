'use client';

import { useQuery } from '@tanstack/react-query';
import { useParams } from 'next/navigation';
import { AppNav } from '../analytics';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { useOrg } from '~/lib/use-org';
import { Notice, Section } from '../ui';
import { CopyBlock } from './copy-block';
import { FirstEventCheck } from './first-event';
import { IngestKeyPanel } from './ingest-key';
import { snippets, type ScriptAsset } from './snippets';

/** An app's onboarding: the live check, its key, and a snippet for each way in. */
export function AppSetup({ script }: { script: ScriptAsset | null }) {
  const { orgId } = useOrg();
  const appId = Number(useParams<{ appId: string }>().appId);
  const trpc = useTRPC();
  const app = useQuery(trpc.apps.get.queryOptions({ orgId, appId }));
  const key = useQuery(trpc.apps.ingestKey.queryOptions({ orgId, appId }));
  const error = app.error ?? key.error;
  if (error) return <Notice kind="error">{errorMessage(error)}</Notice>;

  const k = key.data;
  const ways = k?.key && k.dsn ? snippets({ appId, key: k.key, dsn: k.dsn, endpoint: k.endpoint, script }) : [];
  return (
    <>
      <h1>Set up {app.data?.name ?? '…'}</h1>
      <AppNav orgId={orgId} appId={appId} />
      <p className="muted">
        Pick the way that fits your app, paste the snippet, and this page says when the first event arrives. Telemetry
        goes to <code>{k?.endpoint ?? '…'}</code>.
      </p>
      <FirstEventCheck appId={appId} />
      <IngestKeyPanel appId={appId} />
      {ways.map((way) => (
        <Section key={way.id} title={way.title}>
          <div className="stack" data-testid={`snippet-${way.id}`}>
            <p className="muted">{way.intro}</p>
            {way.blocks.map((block, i) => (
              <CopyBlock
                key={block.label}
                label={block.label}
                code={block.code}
                testId={i === way.blocks.length - 1 ? `code-${way.id}` : undefined}
              />
            ))}
            {way.id === 'script' && !script ? (
              <p className="field-hint">
                The api did not publish an integrity hash for this script just now, so the tag has no integrity
                attribute.
              </p>
            ) : null}
            {way.id === 'script' && script ? (
              <p className="field-hint">
                The integrity attribute pins this exact build: after upgrading Sightline, copy the tag again.
              </p>
            ) : null}
          </div>
        </Section>
      ))}
    </>
  );
}

'use client';

import { PLATFORMS, type Platform } from '@sightline/core/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams, useRouter } from 'next/navigation';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { AppNav } from '~/components/analytics';
import { NoDataYet } from '~/components/setup/first-event';
import { IngestKeyPanel } from '~/components/setup/ingest-key';
import { Field, Notice, Section, Form } from '~/components/ui';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { useOrg } from '~/lib/use-org';
import { formText } from '~/lib/form';

const list = (value: string): string[] => value.split(/[\s,]+/).filter(Boolean);

export default function AppSettingsPage() {
  const { orgId, role, atLeast } = useOrg();
  const appId = Number(useParams<{ appId: string }>().appId);
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries(trpc.apps.pathFilter());
  const app = useQuery(trpc.apps.get.queryOptions({ orgId, appId }));
  const update = useMutation(trpc.apps.update.mutationOptions({ onSuccess: refresh }));
  const rotate = useMutation(trpc.apps.rotateIngestKey.mutationOptions({ onSuccess: refresh }));
  const revokeDevices = useMutation(trpc.apps.revokeDeviceTokens.mutationOptions());
  const remove = useMutation(
    trpc.apps.delete.mutationOptions({
      onSuccess: async () => {
        await refresh();
        router.push(`/o/${orgId}/apps`);
      },
    }),
  );
  const canManage = atLeast('ADMIN');

  function onSave(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    update.mutate({
      orgId,
      appId,
      settings: {
        name: formText(form, 'name'),
        platform: formText(form, 'platform') as Platform,
        allowedOrigins: list(formText(form, 'allowedOrigins')),
        sampleRate: Number(form.get('sampleRate')),
        rawEventRetentionDays: Number(form.get('rawEventRetentionDays')),
        crashReportRetentionDays: Number(form.get('crashReportRetentionDays')),
        aggregateRetentionDays: Number(form.get('aggregateRetentionDays')),
        ipPolicy: formText(form, 'ipPolicy') as 'discard' | 'truncate',
        scrubFields: list(formText(form, 'scrubFields')),
        analyticsOptIn: form.get('analyticsOptIn') === 'on',
        respectDoNotTrack: form.get('respectDoNotTrack') === 'on',
      },
    });
  }

  if (app.error) return <Notice kind="error">{errorMessage(app.error)}</Notice>;
  if (!app.data) return <p className="muted">Loading…</p>;
  const a = app.data;
  return (
    <>
      <h1>{a.name}</h1>
      <AppNav orgId={orgId} appId={appId} />
      <p className="muted">
        App id {a.id} · bundle id <code>{a.bundleId}</code>
      </p>
      <NoDataYet appId={appId} />
      {!canManage ? (
        <Notice kind="info">Your role ({role}) can view this app but not change it; ask an ADMIN.</Notice>
      ) : null}
      <IngestKeyPanel appId={appId} />
      <Section title="Settings">
        <Form key={a.updatedAt.toString()} className="stack" onSubmit={onSave}>
          <fieldset disabled={!canManage} className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
            <div className="row">
              <Field label="App name">
                <input name="name" defaultValue={a.name} required />
              </Field>
              <Field label="Platform">
                <select name="platform" defaultValue={a.platform}>
                  {PLATFORMS.map((p) => (
                    <option key={p}>{p}</option>
                  ))}
                </select>
              </Field>
              <Field label="Sampling rate" hint="0 to 1; 1 keeps every event">
                <input name="sampleRate" type="number" step="0.01" min="0" max="1" defaultValue={a.sampleRate} />
              </Field>
            </div>
            <Field label="Allowed origins" hint="Space separated; browser telemetry from other origins is refused">
              <input name="allowedOrigins" defaultValue={a.allowedOrigins.join(' ')} />
            </Field>
            <div className="row">
              <Field label="Raw events kept (days)">
                <input
                  name="rawEventRetentionDays"
                  type="number"
                  min="1"
                  max="365"
                  defaultValue={a.rawEventRetentionDays}
                />
              </Field>
              <Field label="Crash reports kept (days)">
                <input
                  name="crashReportRetentionDays"
                  type="number"
                  min="1"
                  max="365"
                  defaultValue={a.crashReportRetentionDays}
                />
              </Field>
              <Field label="Aggregates kept (days)">
                <input
                  name="aggregateRetentionDays"
                  type="number"
                  min="30"
                  max="3650"
                  defaultValue={a.aggregateRetentionDays}
                />
              </Field>
              <Field label="IP addresses">
                <select name="ipPolicy" defaultValue={a.ipPolicy}>
                  <option value="discard">discard</option>
                  <option value="truncate">truncate</option>
                </select>
              </Field>
            </div>
            <Field label="Fields to scrub" hint="Keys removed from event data before storage, space separated">
              <input name="scrubFields" defaultValue={a.scrubFields.join(' ')} />
            </Field>
            <label>
              <input name="analyticsOptIn" type="checkbox" defaultChecked={a.analyticsOptIn} /> Usage analytics are
              opt-in: only devices that said yes are counted (crash reports are not affected)
            </label>
            <label>
              <input name="respectDoNotTrack" type="checkbox" defaultChecked={a.respectDoNotTrack} /> Respect
              Do-Not-Track and Global Privacy Control: usage events from browsers sending them are not stored
            </label>
            <Notice kind="error">{update.error ? errorMessage(update.error) : null}</Notice>
            {update.isSuccess ? <Notice kind="ok">Saved.</Notice> : null}
            <div>
              <button type="submit">Save settings</button>
            </div>
          </fieldset>
        </Form>
      </Section>
      {canManage ? (
        <Section title="Keys and devices">
          <div className="stack">
            <p className="muted">Rotating issues a new ingest key; the old one stops working at once.</p>
            <div className="row">
              <button
                type="button"
                className="secondary"
                disabled={rotate.isPending}
                onClick={() => rotate.mutate({ orgId, appId })}
              >
                Rotate ingest key
              </button>
              <button
                type="button"
                className="secondary"
                disabled={revokeDevices.isPending}
                onClick={() =>
                  window.confirm('Revoke every device token of this app?') && revokeDevices.mutate({ orgId, appId })
                }
              >
                Revoke all device tokens
              </button>
            </div>
            {rotate.data ? <Notice kind="ok">New ingest key created; it is shown above.</Notice> : null}
            {revokeDevices.data ? <Notice kind="ok">{revokeDevices.data.revoked} device tokens revoked.</Notice> : null}
            <Notice kind="error">
              {rotate.error || revokeDevices.error ? errorMessage(rotate.error ?? revokeDevices.error) : null}
            </Notice>
          </div>
        </Section>
      ) : null}
      {canManage ? <DeleteAppData orgId={orgId} appId={appId} appName={a.name} /> : null}
      {canManage ? (
        <Section title="Delete app">
          <p className="muted">Its keys stop working at once; its data is removed by the retention job.</p>
          <button
            type="button"
            className="danger"
            onClick={() => window.confirm(`Delete ${a.name}?`) && remove.mutate({ orgId, appId })}
          >
            Delete app
          </button>
          <Notice kind="error">{remove.error ? errorMessage(remove.error) : null}</Notice>
        </Section>
      ) : null}
    </>
  );
}

/** "Delete this app's data": typed confirmation, then a tracked request (Privacy page). */
function DeleteAppData({ orgId, appId, appName }: { orgId: string; appId: number; appName: string }) {
  const trpc = useTRPC();
  const [confirm, setConfirm] = useState('');
  const wipe = useMutation(trpc.privacy.deleteAppData.mutationOptions());
  return (
    <Section title="Delete this app's data">
      <Form
        className="stack"
        aria-label="Delete this app's data"
        onSubmit={(event) => {
          event.preventDefault();
          wipe.mutate({ orgId, appId, confirm });
        }}
      >
        <p className="muted">
          Removes every event, session, crash report and crash group, and all dashboards&apos; figures of this app. The
          app, its keys, settings and alert rules stay, and so do its devices&apos; registrations and privacy choices.
          This cannot be undone.
        </p>
        <Field label={`Type the app's name (${appName}) to confirm`}>
          <input name="confirm" value={confirm} onChange={(e) => setConfirm(e.target.value)} autoComplete="off" />
        </Field>
        <Notice kind="error">{wipe.error ? errorMessage(wipe.error) : null}</Notice>
        {wipe.data ? (
          <Notice kind="ok">
            Deletion scheduled. <Link href={`/o/${orgId}/privacy?app=${appId}`}>Follow it on the Privacy page</Link>.
          </Notice>
        ) : null}
        <div>
          <button type="submit" className="danger" disabled={confirm.trim() !== appName || wipe.isPending}>
            Delete all data of this app
          </button>
        </div>
      </Form>
    </Section>
  );
}

'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { Field, Notice, SecretValue, Section, formatDate, Form } from '../../../../../components/ui';
import { errorMessage, useTRPC } from '../../../../../lib/trpc';
import { useOrg } from '../../../../../lib/use-org';
import { formText } from '../../../../../lib/form';

const PLATFORMS = ['WEB', 'NODE', 'NEXTJS', 'IOS', 'ANDROID', 'REACT_NATIVE', 'FLUTTER', 'LUA', 'OTHER'] as const;
type Platform = (typeof PLATFORMS)[number];

export default function AppsPage() {
  const { orgId, role, atLeast } = useOrg();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const apps = useQuery(trpc.apps.list.queryOptions({ orgId }));
  const create = useMutation(
    trpc.apps.create.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.apps.list.queryFilter()) }),
  );
  const [formKey, setFormKey] = useState(0);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const origins = formText(form, 'allowedOrigins')
      .split(/[\s,]+/)
      .filter(Boolean);
    create.mutate(
      {
        orgId,
        name: formText(form, 'name'),
        bundleId: formText(form, 'bundleId'),
        platform: formText(form, 'platform') as Platform,
        allowedOrigins: origins,
      },
      { onSuccess: () => setFormKey((k) => k + 1) },
    );
  }

  return (
    <>
      <h1>Apps</h1>
      <Notice kind="error">{apps.error ? errorMessage(apps.error) : null}</Notice>
      {apps.data?.length === 0 ? (
        <p className="muted">No apps yet. Create one to get an ingest key for your SDK.</p>
      ) : null}
      {apps.data && apps.data.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>App id</th>
              <th>Bundle id</th>
              <th>Platform</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {apps.data.map((app) => (
              <tr key={app.id}>
                <td>
                  <Link href={`/o/${orgId}/apps/${app.id}`}>{app.name}</Link>
                </td>
                <td>{app.id}</td>
                <td>
                  <code>{app.bundleId}</code>
                </td>
                <td>{app.platform}</td>
                <td>{formatDate(app.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      <Section title="Create an app">
        {create.data ? (
          <div className="stack">
            <Notice kind="ok">
              {create.data.app.name} is ready. Copy its ingest key now: it will not be shown again (you can rotate it
              later).
            </Notice>
            <SecretValue label="Ingest key" value={create.data.ingestKey} />
            <SecretValue label="DSN (Sentry SDKs)" value={create.data.dsn} />
          </div>
        ) : null}
        {atLeast('ADMIN') ? (
          <Form key={formKey} className="stack" onSubmit={onSubmit}>
            <div className="row">
              <Field label="App name">
                <input name="name" required maxLength={100} />
              </Field>
              <Field label="Bundle id" hint="e.g. com.example.shop">
                <input name="bundleId" required maxLength={200} />
              </Field>
              <Field label="Platform">
                <select name="platform" defaultValue="WEB">
                  {PLATFORMS.map((p) => (
                    <option key={p}>{p}</option>
                  ))}
                </select>
              </Field>
            </div>
            <Field
              label="Allowed origins"
              hint="Browser apps: origins that may send telemetry, e.g. https://shop.example.com (space separated)."
            >
              <input name="allowedOrigins" />
            </Field>
            <Notice kind="error">{create.error ? errorMessage(create.error) : null}</Notice>
            <div>
              <button type="submit" disabled={create.isPending}>
                Create app
              </button>
            </div>
          </Form>
        ) : (
          <Notice kind="info">Your role ({role}) cannot create apps; ask an ADMIN.</Notice>
        )}
      </Section>
    </>
  );
}

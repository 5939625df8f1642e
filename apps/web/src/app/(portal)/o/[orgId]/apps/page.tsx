'use client';

import { PLATFORMS, type Platform } from '@sightline/core/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { FormEvent } from 'react';
import { Field, Notice, Section, formatDate, Form } from '~/components/ui';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { useOrg } from '~/lib/use-org';
import { formText } from '~/lib/form';

export default function AppsPage() {
  const { orgId, role, atLeast } = useOrg();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const apps = useQuery(trpc.apps.list.queryOptions({ orgId }));
  const create = useMutation(
    trpc.apps.create.mutationOptions({ onSuccess: () => queryClient.invalidateQueries(trpc.apps.list.queryFilter()) }),
  );
  const router = useRouter();

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
      // Straight on to the app's setup page: its key, a snippet for each way in, the live check.
      { onSuccess: (created) => router.push(`/o/${orgId}/apps/${created.app.id}/setup`) },
    );
  }

  return (
    <>
      <h1>Apps</h1>
      <Notice kind="error">{apps.error ? errorMessage(apps.error) : null}</Notice>
      {apps.data?.length === 0 ? (
        <p className="notice notice-info empty-state" role="status">
          No apps yet. Create one below: Sightline gives it a key and shows you the snippet to paste into your site or
          service.
        </p>
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
              <th>Setup</th>
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
                <td>
                  <Link href={`/o/${orgId}/apps/${app.id}/setup`} aria-label={`Set up ${app.name}`}>
                    Snippets and key
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      <Section title="Create an app">
        {create.data ? <Notice kind="ok">{create.data.app.name} is ready. Opening its setup page…</Notice> : null}
        {atLeast('ADMIN') ? (
          <Form className="stack" onSubmit={onSubmit}>
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

'use client';

import type { PrivacyRequestKind } from '@sightline/core/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Field, Form, Notice, Section, formatDate } from '~/components/ui';
import { formText } from '~/lib/form';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { useOrg } from '~/lib/use-org';

// GDPR requests: every request of the organization with its status and download (the
// devices' own and the organization's), acting for an end user, exporting the organization.

const KIND_LABEL: Record<PrivacyRequestKind, string> = { EXPORT: 'Export', DELETE: 'Deletion' };

export default function PrivacyPage() {
  const { orgId, role, atLeast } = useOrg();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const filterApp = useSearchParams().get('app');
  const allowed = atLeast('ADMIN');
  const [subjectKind, setSubjectKind] = useState<'userId' | 'deviceId'>('userId');
  const apps = useQuery({ ...trpc.apps.list.queryOptions({ orgId }), enabled: allowed });
  const requests = useQuery({
    ...trpc.privacy.list.queryOptions({ orgId, limit: 100, ...(filterApp ? { appId: Number(filterApp) } : {}) }),
    enabled: allowed,
    // Follow open requests until the worker is done with them.
    refetchInterval: (query) =>
      query.state.data?.some((r) => r.status === 'PENDING' || r.status === 'RUNNING') ? 2000 : false,
  });
  const refresh = () => queryClient.invalidateQueries(trpc.privacy.list.pathFilter());
  const forSubject = useMutation(trpc.privacy.requestForSubject.mutationOptions({ onSuccess: refresh }));
  const exportOrg = useMutation(trpc.privacy.exportOrg.mutationOptions({ onSuccess: refresh }));
  const appName = (id: number | null) =>
    id === null ? '—' : (apps.data?.find((a) => a.id === id)?.name ?? `app ${id}`);

  function onSubject(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const kind = formText(form, 'kind') as PrivacyRequestKind;
    const value = formText(form, 'subject');
    if (kind === 'DELETE' && !window.confirm(`Delete everything held about ${value}? This cannot be undone.`)) return;
    forSubject.mutate({ orgId, appId: Number(formText(form, 'appId')), kind, [subjectKind]: value });
  }

  if (!allowed) {
    return (
      <>
        <h1>Privacy</h1>
        <Notice kind="info">Your role ({role}) cannot see privacy requests; ask an ADMIN.</Notice>
      </>
    );
  }
  return (
    <>
      <h1>Privacy</h1>
      <p className="muted">
        End users can export or delete their own data from your app (the SDK&apos;s <code>GET /v1/privacy/export</code>{' '}
        and <code>DELETE /v1/privacy/data</code>); you can do it for them here. Retention and IP handling are set per
        app, in its settings.
      </p>
      <Section title="Act for an end user">
        <Form className="stack" onSubmit={onSubject} aria-label="Request for an end user">
          <div className="row">
            <Field label="App">
              <select name="appId" required>
                {apps.data?.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Identify them by">
              <select
                name="subjectKind"
                value={subjectKind}
                onChange={(e) => setSubjectKind(e.target.value as 'userId' | 'deviceId')}
              >
                <option value="userId">user id (as your app sends it)</option>
                <option value="deviceId">device id (as the SDK sent it)</option>
              </select>
            </Field>
            <Field label={subjectKind === 'userId' ? 'User id' : 'Device id'}>
              <input name="subject" required maxLength={256} />
            </Field>
            <Field label="Request">
              <select name="kind">
                <option value="EXPORT">Export their data</option>
                <option value="DELETE">Delete their data</option>
              </select>
            </Field>
          </div>
          <Notice kind="error">{forSubject.error ? errorMessage(forSubject.error) : null}</Notice>
          {forSubject.data ? (
            <Notice kind="ok">{KIND_LABEL[forSubject.data.kind]} scheduled; follow it in the list below.</Notice>
          ) : null}
          <div>
            <button type="submit" disabled={forSubject.isPending || !apps.data?.length}>
              Send request
            </button>
          </div>
        </Form>
      </Section>
      <Section title="Export this organization">
        <div className="stack">
          <p className="muted">
            Everything the organization holds — apps, members, alert rules, crash groups, devices, sessions, crash
            reports and raw events — as gzip JSON lines, downloadable for 24 hours. Secrets and key hashes are left out.
          </p>
          <div>
            <button
              type="button"
              className="secondary"
              disabled={exportOrg.isPending}
              onClick={() => exportOrg.mutate({ orgId })}
            >
              Export organization data
            </button>
          </div>
          <Notice kind="error">{exportOrg.error ? errorMessage(exportOrg.error) : null}</Notice>
        </div>
      </Section>
      <Section title="Requests">
        <Notice kind="error">{requests.error ? errorMessage(requests.error) : null}</Notice>
        {requests.data?.length === 0 ? <p className="muted">No requests yet.</p> : null}
        {requests.data?.length ? (
          <table aria-label="Privacy requests">
            <thead>
              <tr>
                <th>Requested</th>
                <th>Request</th>
                <th>App</th>
                <th>Subject</th>
                <th>By</th>
                <th>Status</th>
                <th>Result</th>
              </tr>
            </thead>
            <tbody>
              {requests.data.map((r) => (
                <tr key={r.id}>
                  <td>{formatDate(r.createdAt)}</td>
                  <td>
                    {KIND_LABEL[r.kind]}
                    {r.scope === 'APP' ? ' of app data' : r.scope === 'ORG' ? ' of the organization' : ''}
                  </td>
                  <td>{appName(r.appId)}</td>
                  <td>
                    {r.subjectType === 'USER' ? `user ${r.subject ?? ''}` : null}
                    {r.subjectType === 'DEVICE' ? (
                      <code title={r.subject ?? ''}>device {r.subject?.slice(0, 12)}…</code>
                    ) : null}
                    {r.subjectType === null ? '—' : null}
                  </td>
                  <td>
                    {r.requestedBy.type === 'DEVICE'
                      ? 'the device'
                      : r.requestedBy.type.toLowerCase().replace('_', ' ')}
                  </td>
                  <td data-status={r.status}>
                    {r.status.toLowerCase()}
                    {r.progress && r.status !== 'COMPLETED' ? ` (${r.progress.done}/${r.progress.total})` : ''}
                    {r.error ? <span className="muted"> {r.error}</span> : null}
                  </td>
                  <td>
                    {r.downloadUrl ? (
                      <a href={r.downloadUrl} download>
                        Download
                      </a>
                    ) : r.kind === 'EXPORT' && r.status === 'COMPLETED' ? (
                      <span className="muted">expired</span>
                    ) : r.removed ? (
                      <span className="muted">
                        {Object.values(r.removed)
                          .reduce((a, b) => a + b, 0)
                          .toLocaleString('en')}{' '}
                        rows removed
                      </span>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
    </>
  );
}

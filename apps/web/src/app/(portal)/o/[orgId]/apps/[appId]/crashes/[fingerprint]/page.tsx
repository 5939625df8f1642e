'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { DailyBars } from '~/components/daily-bars';
import { Field, Form, Notice, Section, formatDate } from '~/components/ui';
import { formText } from '~/lib/form';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { useOrg } from '~/lib/use-org';

/** One crash group: what broke and where, its status actions, trend, versions, devices, recent occurrences, comments. */
export default function CrashGroupPage() {
  const { orgId, role, atLeast } = useOrg();
  const params = useParams<{ appId: string; fingerprint: string }>();
  const appId = Number(params.appId);
  const fingerprint = params.fingerprint;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries(trpc.crashes.pathFilter());
  const group = useQuery(trpc.crashes.get.queryOptions({ orgId, appId, fingerprint }));
  const update = useMutation(trpc.crashes.update.mutationOptions({ onSuccess: refresh }));
  const comment = useMutation(trpc.crashes.comment.mutationOptions({ onSuccess: refresh }));
  const members = useQuery(trpc.members.list.queryOptions({ orgId }));
  const [commentKey, setCommentKey] = useState(0);
  const canChange = atLeast('MEMBER');
  const g = group.data;

  function onResolve(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const version = formText(new FormData(event.currentTarget), 'version').trim();
    update.mutate({
      orgId,
      appId,
      fingerprint,
      change: { status: 'resolved', ...(version ? { resolvedInVersion: version } : {}) },
    });
  }
  function onIgnore(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const count = formText(new FormData(event.currentTarget), 'count').trim();
    update.mutate({
      orgId,
      appId,
      fingerprint,
      change: { status: 'ignored', ...(count ? { ignoreForOccurrences: Number(count) } : {}) },
    });
  }
  function onComment(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    comment.mutate(
      { orgId, appId, fingerprint, body: formText(new FormData(event.currentTarget), 'body') },
      { onSuccess: () => setCommentKey((k) => k + 1) },
    );
  }

  return (
    <>
      <p>
        <Link href={`/o/${orgId}/apps/${appId}/crashes`}>← Crashes</Link>
      </p>
      <Notice kind="error">{group.error ? errorMessage(group.error) : null}</Notice>
      {g ? (
        <>
          <h1>
            {g.crashType}
            <span className="muted"> {g.culprit ?? ''}</span>
          </h1>
          <p>{g.message}</p>
          <p aria-label="Crash status">
            Status: <strong>{g.status}</strong>
            {g.status === 'resolved' && g.resolvedInVersion ? ` in ${g.resolvedInVersion}` : ''}
            {g.status === 'ignored' && g.ignoredUntilCount ? ` until ${g.ignoredUntilCount} occurrences` : ''}
            {g.regressedAt ? ` · regressed ${formatDate(g.regressedAt)}` : ''}
          </p>
          <p className="muted">
            {g.occurrenceCount} occurrences on {g.affectedDeviceCount} devices · first seen {formatDate(g.firstSeenAt)}
            {g.firstVersion ? ` in ${g.firstVersion}` : ''} · last seen {formatDate(g.lastSeenAt)}
            {g.lastVersion ? ` in ${g.lastVersion}` : ''} · versions {g.affectedVersions.join(', ') || '—'}
          </p>
          {canChange ? (
            <div className="row">
              <Form onSubmit={onResolve} className="row">
                <Field label="Resolved in version" hint="optional: older versions will not reopen it">
                  <input name="version" maxLength={64} />
                </Field>
                <button type="submit" disabled={update.isPending}>
                  Resolve
                </button>
              </Form>
              <Form onSubmit={onIgnore} className="row">
                <Field label="Ignore for occurrences" hint="empty: ignore for good">
                  <input name="count" type="number" min={1} />
                </Field>
                <button type="submit" disabled={update.isPending}>
                  Ignore
                </button>
              </Form>
              <Field label="Assignee">
                <select
                  value={g.assigneeId ?? ''}
                  disabled={update.isPending}
                  onChange={(e) =>
                    update.mutate({ orgId, appId, fingerprint, change: { assigneeId: e.target.value || null } })
                  }
                >
                  <option value="">nobody</option>
                  {members.data?.map((m) => (
                    <option key={m.userId} value={m.userId}>
                      {m.name ?? m.email}
                    </option>
                  ))}
                </select>
              </Field>
              {g.status !== 'open' ? (
                <button
                  type="button"
                  disabled={update.isPending}
                  onClick={() => update.mutate({ orgId, appId, fingerprint, change: { status: 'open' } })}
                >
                  Reopen
                </button>
              ) : null}
            </div>
          ) : (
            <Notice kind="info">Your role ({role}) can look but not change a crash&apos;s status.</Notice>
          )}
          <Notice kind="error">{update.error ? errorMessage(update.error) : null}</Notice>
          <Section title="Stack trace">
            <pre aria-label="Stack trace">{g.sampleStackTrace ?? 'No stack trace was sent.'}</pre>
          </Section>
          <Section title="Last 30 days">
            <DailyBars label="Occurrences per day" days={g.daily} />
            <div className="row" style={{ alignItems: 'flex-start' }}>
              <table aria-label="Versions" style={{ flex: 1 }}>
                <thead>
                  <tr>
                    <th>Version</th>
                    <th>Occurrences</th>
                  </tr>
                </thead>
                <tbody>
                  {g.versions.map((v) => (
                    <tr key={v.version ?? ''}>
                      <td>{v.version ?? 'unknown'}</td>
                      <td>{v.occurrences}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <table aria-label="Devices" style={{ flex: 1 }}>
                <thead>
                  <tr>
                    <th>Device</th>
                    <th>OS</th>
                    <th>Occurrences</th>
                    <th>Devices</th>
                  </tr>
                </thead>
                <tbody>
                  {g.devices.map((d) => (
                    <tr key={`${d.device ?? ''}|${d.os ?? ''}`}>
                      <td>{d.device ?? 'unknown'}</td>
                      <td>{d.os ?? '—'}</td>
                      <td>{d.occurrences}</td>
                      <td>{d.devices}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Section>
          <Section title="Recent occurrences">
            <table>
              <thead>
                <tr>
                  <th>When</th>
                  <th>Version</th>
                  <th>Device</th>
                  <th>Context</th>
                </tr>
              </thead>
              <tbody>
                {g.recentReports.map((r) => (
                  <tr key={r.id}>
                    <td>{formatDate(r.occurredAt)}</td>
                    <td>{r.appVersion ?? '—'}</td>
                    <td>{[r.os, r.osVersion, r.browser, r.deviceModel].filter(Boolean).join(' · ') || '—'}</td>
                    <td>
                      <code>{JSON.stringify(r.context)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          <Section title="Comments">
            {g.comments.map((c) => (
              <p key={c.id}>
                <span className="muted">{formatDate(c.createdAt)}</span> {c.body}
              </p>
            ))}
            {canChange ? (
              <Form key={commentKey} onSubmit={onComment} className="stack">
                <Field label="Comment">
                  <textarea name="body" required maxLength={10_000} />
                </Field>
                <Notice kind="error">{comment.error ? errorMessage(comment.error) : null}</Notice>
                <div>
                  <button type="submit" disabled={comment.isPending}>
                    Add comment
                  </button>
                </div>
              </Form>
            ) : null}
          </Section>
        </>
      ) : null}
    </>
  );
}

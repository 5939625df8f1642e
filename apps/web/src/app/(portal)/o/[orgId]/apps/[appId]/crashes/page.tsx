'use client';

import { CRASH_SORTS, CRASH_STATUSES, type CrashSort, type CrashStatus } from '@sightline/core/contracts';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { NoDataYet } from '~/components/setup/first-event';
import { Field, Notice, formatDate } from '~/components/ui';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { useOrg } from '~/lib/use-org';

// The filter lists statuses in triage order, what needs work first; a Record, so a status
// added to the contracts fails the typecheck here until it has its place.
const TRIAGE_ORDER: Record<CrashStatus, number> = { open: 0, regressed: 1, resolved: 2, ignored: 3 };
const STATUSES = [...CRASH_STATUSES].sort((a, b) => TRIAGE_ORDER[a] - TRIAGE_ORDER[b]);
const SORT_LABELS: Record<CrashSort, string> = {
  last_seen: 'Last seen',
  occurrences: 'Occurrences',
  users: 'Devices affected',
  first_seen: 'First seen',
};
const PAGE_SIZE = 25;

/** An app's crash groups: filter by status and version, search the message, sort, page. */
export default function CrashesPage() {
  const { orgId } = useOrg();
  const appId = Number(useParams<{ appId: string }>().appId);
  const trpc = useTRPC();
  const [status, setStatus] = useState<CrashStatus | ''>('');
  const [version, setVersion] = useState('');
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<CrashSort>('last_seen');
  const [page, setPage] = useState(1);
  const query = {
    ...(status ? { status } : {}),
    ...(version.trim() ? { version: version.trim() } : {}),
    ...(search.trim() ? { search: search.trim() } : {}),
    sort,
    page,
    limit: PAGE_SIZE,
  };
  const app = useQuery(trpc.apps.get.queryOptions({ orgId, appId }));
  const crashes = useQuery(trpc.crashes.list.queryOptions({ orgId, appId, query }));
  const filtered = Boolean(status || version.trim() || search.trim());
  const pages = crashes.data ? Math.max(1, Math.ceil(crashes.data.total / PAGE_SIZE)) : 1;
  const base = `/o/${orgId}/apps/${appId}`;

  return (
    <>
      <p>
        <Link href={base}>← {app.data?.name ?? 'App'}</Link>
      </p>
      <h1>Crashes</h1>
      <NoDataYet appId={appId} what="crash reports" />
      <div className="row">
        <Field label="Status">
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as CrashStatus | '');
              setPage(1);
            }}
          >
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Version">
          <input value={version} placeholder="e.g. 2.4.1" onChange={(e) => (setVersion(e.target.value), setPage(1))} />
        </Field>
        <Field label="Search">
          <input
            value={search}
            placeholder="message, type, function"
            onChange={(e) => (setSearch(e.target.value), setPage(1))}
          />
        </Field>
        <Field label="Sort by">
          <select value={sort} onChange={(e) => setSort(e.target.value as CrashSort)}>
            {CRASH_SORTS.map((value) => (
              <option key={value} value={value}>
                {SORT_LABELS[value]}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Notice kind="error">{crashes.error ? errorMessage(crashes.error) : null}</Notice>
      {crashes.data && crashes.data.groups.length === 0 ? (
        filtered ? (
          <p className="muted">No crashes match.</p>
        ) : (
          <p className="muted">No crashes or errors reported yet: good news, if this app is already sending events.</p>
        )
      ) : null}
      {crashes.data && crashes.data.groups.length > 0 ? (
        <table aria-label="Crash groups">
          <thead>
            <tr>
              <th>Crash</th>
              <th>Status</th>
              <th>Occurrences</th>
              <th>Devices</th>
              <th>Versions</th>
              <th>Last seen</th>
            </tr>
          </thead>
          <tbody>
            {crashes.data.groups.map((g) => (
              <tr key={g.id}>
                <td>
                  <Link href={`${base}/crashes/${g.fingerprint}`}>
                    <strong>{g.crashType}</strong>
                  </Link>{' '}
                  {g.message}
                  {g.culprit ? <div className="muted">{g.culprit}</div> : null}
                  {/* Unhandled occurrences are crashes of their session; the rest, errors the app caught. */}
                  <div className="muted">
                    {g.unhandledCount > 0 ? `crash (${g.unhandledCount} unhandled)` : 'handled error'}
                  </div>
                </td>
                <td>{g.status}</td>
                <td>{g.occurrenceCount}</td>
                <td>{g.affectedDeviceCount}</td>
                <td>
                  {g.firstVersion ?? '—'}
                  {g.lastVersion && g.lastVersion !== g.firstVersion ? ` → ${g.lastVersion}` : ''}
                </td>
                <td>{formatDate(g.lastSeenAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {crashes.data && pages > 1 ? (
        <div className="row">
          <button type="button" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
            Previous
          </button>
          <span>
            Page {page} of {pages} ({crashes.data.total} groups)
          </span>
          <button type="button" disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>
            Next
          </button>
        </div>
      ) : null}
    </>
  );
}

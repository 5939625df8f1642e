'use client';

import { useQuery } from '@tanstack/react-query';
import { Notice, formatDate } from '~/components/ui';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { useOrg } from '~/lib/use-org';

export default function AuditLogPage() {
  const { orgId, role, atLeast } = useOrg();
  const trpc = useTRPC();
  const allowed = atLeast('ADMIN');
  const entries = useQuery({ ...trpc.audit.list.queryOptions({ orgId, limit: 200 }), enabled: allowed });

  return (
    <>
      <h1>Audit log</h1>
      {!allowed ? <Notice kind="info">Your role ({role}) cannot read the audit log; ask an ADMIN.</Notice> : null}
      <Notice kind="error">{entries.error ? errorMessage(entries.error) : null}</Notice>
      {entries.data ? (
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>Action</th>
              <th>Target</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.data.map((e) => (
              <tr key={e.id}>
                <td>{formatDate(e.createdAt)}</td>
                <td>
                  {e.actorType} <span className="muted">{e.actorId}</span>
                </td>
                <td>{e.action}</td>
                <td>{e.targetType ? `${e.targetType} ${e.targetId ?? ''}` : '—'}</td>
                <td>{e.metadata == null ? '—' : <code>{JSON.stringify(e.metadata)}</code>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

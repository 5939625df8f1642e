'use client';

import { PLANS, type PlanName } from '@sightline/core/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import type { FormEvent } from 'react';
import { Notice, formatDate, Form } from '~/components/ui';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { formText } from '~/lib/form';
import { DeadLetters } from './dead-letters';

export default function PlatformAdminPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const orgs = useQuery({ ...trpc.admin.organizations.queryOptions(), retry: false });
  const refresh = () => queryClient.invalidateQueries(trpc.admin.organizations.queryFilter());
  const updatePlan = useMutation(trpc.admin.updatePlan.mutationOptions({ onSuccess: refresh }));
  const suspend = useMutation(trpc.admin.setSuspended.mutationOptions({ onSuccess: refresh }));
  const failure = orgs.error ?? updatePlan.error ?? suspend.error;

  function onPlan(orgId: string, event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    updatePlan.mutate({
      orgId,
      // The select offers only the plans; the api checks it anyway.
      plan: formText(form, 'plan') as PlanName,
      monthlyEventQuota: Number(form.get('quota')),
      monthlyCrashQuota: Number(form.get('crashQuota')),
    });
  }

  function onSuspend(orgId: string, event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    suspend.mutate({ orgId, suspended: true, reason: formText(new FormData(event.currentTarget), 'reason') });
  }

  return (
    <main className="content">
      <h1>Platform admin</h1>
      <p>
        <Link href="/orgs">Back to Sightline</Link>
      </p>
      <p className="muted">
        Every organization on this installation. Changes here land in the audit log of the organization they touch.
      </p>
      <Notice kind="error">{failure ? errorMessage(failure) : null}</Notice>
      {orgs.data ? (
        <table>
          <thead>
            <tr>
              <th>Organization</th>
              <th>Members</th>
              <th>Apps</th>
              <th>Events this month</th>
              <th>Last activity</th>
              <th>Plan and quota</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {orgs.data.map((org) => (
              <tr key={org.id}>
                <td>
                  <strong>{org.name}</strong>
                  <div className="muted">{org.slug}</div>
                </td>
                <td>
                  {org.members.map((m) => (
                    <div key={m.email}>
                      {m.email} · {m.role}
                    </div>
                  ))}
                </td>
                <td>
                  {org.apps.map((a) => (
                    <div key={a.id}>
                      {a.name} <span className="muted">{a.bundleId}</span>
                    </div>
                  ))}
                </td>
                <td>
                  {org.usage.accepted.toLocaleString('en')} accepted / {org.usage.rejected.toLocaleString('en')}{' '}
                  rejected
                  <div className="muted">
                    of {org.monthlyEventQuota.toLocaleString('en')} ({org.usage.month})
                  </div>
                  <div className="muted">
                    crash reports: {org.usage.crashes.toLocaleString('en')} of{' '}
                    {org.monthlyCrashQuota.toLocaleString('en')}
                  </div>
                </td>
                <td>{formatDate(org.lastActivityAt)}</td>
                <td>
                  <Form className="stack" onSubmit={(e) => onPlan(org.id, e)}>
                    <select name="plan" defaultValue={org.plan} aria-label={`Plan of ${org.name}`}>
                      {PLANS.map((p) => (
                        <option key={p}>{p}</option>
                      ))}
                    </select>
                    <input
                      name="quota"
                      type="number"
                      min={0}
                      defaultValue={org.monthlyEventQuota}
                      aria-label={`Quota of ${org.name}`}
                    />
                    <input
                      name="crashQuota"
                      type="number"
                      min={0}
                      defaultValue={org.monthlyCrashQuota}
                      aria-label={`Crash report quota of ${org.name}`}
                    />
                    <button type="submit" className="secondary">
                      Save plan
                    </button>
                  </Form>
                </td>
                <td>
                  {org.suspended ? (
                    <div className="stack">
                      <span>Suspended: {org.suspendedReason}</span>
                      <button type="button" onClick={() => suspend.mutate({ orgId: org.id, suspended: false })}>
                        Unsuspend
                      </button>
                    </div>
                  ) : (
                    <Form className="stack" onSubmit={(e) => onSuspend(org.id, e)}>
                      <span>Active</span>
                      <input
                        name="reason"
                        required
                        aria-label={`Suspension reason for ${org.name}`}
                        placeholder="Reason"
                      />
                      <button type="submit" className="danger">
                        Suspend
                      </button>
                    </Form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {/* Only for operators: a visitor turned away above sees one refusal, not two. */}
      {orgs.data ? <DeadLetters /> : null}
    </main>
  );
}

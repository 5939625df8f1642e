'use client';

import { ROLES, type Role } from '@sightline/core/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Field, Notice, Section, formatDate, Form } from '~/components/ui';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { useOrg } from '~/lib/use-org';
import { formText } from '~/lib/form';

export default function MembersPage() {
  const { orgId, role, atLeast } = useOrg();
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const canManage = atLeast('ADMIN');
  const me = useQuery(trpc.auth.me.queryOptions());
  const members = useQuery(trpc.members.list.queryOptions({ orgId }));
  const invitations = useQuery({ ...trpc.members.invitations.queryOptions({ orgId }), enabled: canManage });
  const refresh = () => queryClient.invalidateQueries(trpc.members.pathFilter());
  const changeRole = useMutation(trpc.members.changeRole.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSuccess: refresh }));
  const invite = useMutation(trpc.members.invite.mutationOptions({ onSuccess: refresh }));
  const withdraw = useMutation(trpc.members.revokeInvitation.mutationOptions({ onSuccess: refresh }));
  const leave = useMutation(
    trpc.orgs.leave.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries(trpc.auth.me.queryFilter());
        router.push('/orgs');
      },
    }),
  );
  const [formKey, setFormKey] = useState(0);
  const failure = members.error ?? changeRole.error ?? remove.error ?? withdraw.error ?? leave.error;

  function onInvite(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    invite.mutate(
      { orgId, email: formText(form, 'email'), role: formText(form, 'role') as Role },
      { onSuccess: () => setFormKey((k) => k + 1) },
    );
  }

  return (
    <>
      <h1>Members</h1>
      <Notice kind="error">{failure ? errorMessage(failure) : null}</Notice>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Email</th>
            <th>Role</th>
            <th>Joined</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {members.data?.map((m) => (
            <tr key={m.userId}>
              <td>{m.name ?? '—'}</td>
              <td>{m.email}</td>
              <td>
                {canManage ? (
                  <select
                    aria-label={`Role of ${m.email}`}
                    value={m.role}
                    onChange={(e) => changeRole.mutate({ orgId, userId: m.userId, role: e.target.value as Role })}
                  >
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                ) : (
                  m.role
                )}
              </td>
              <td>{formatDate(m.joinedAt)}</td>
              <td>
                {canManage && m.userId !== me.data?.user.id ? (
                  <button
                    type="button"
                    className="danger"
                    onClick={() => window.confirm(`Remove ${m.email}?`) && remove.mutate({ orgId, userId: m.userId })}
                  >
                    Remove
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Section title="Invite someone">
        {canManage ? (
          <Form key={formKey} className="row" onSubmit={onInvite}>
            <Field label="Email">
              <input name="email" type="email" required />
            </Field>
            <Field label="Role">
              <select name="role" defaultValue="MEMBER">
                {ROLES.map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </select>
            </Field>
            <button type="submit" disabled={invite.isPending}>
              Send invitation
            </button>
          </Form>
        ) : (
          <Notice kind="info">Your role ({role}) cannot invite people; ask an ADMIN.</Notice>
        )}
        {invite.data ? <Notice kind="ok">{`Invitation sent to ${invite.data.email}.`}</Notice> : null}
        <Notice kind="error">{invite.error ? errorMessage(invite.error) : null}</Notice>
        {invitations.data && invitations.data.length > 0 ? (
          <table>
            <thead>
              <tr>
                <th>Pending invitation</th>
                <th>Role</th>
                <th>Expires</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {invitations.data.map((i) => (
                <tr key={i.id}>
                  <td>{i.email}</td>
                  <td>{i.role}</td>
                  <td>{formatDate(i.expiresAt)}</td>
                  <td>
                    <button
                      type="button"
                      className="secondary"
                      onClick={() => withdraw.mutate({ orgId, invitationId: i.id })}
                    >
                      Withdraw
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Section>
      <Section title="Leave this organization">
        <button
          type="button"
          className="danger"
          onClick={() => window.confirm('Leave this organization?') && leave.mutate({ orgId })}
        >
          Leave organization
        </button>
      </Section>
    </>
  );
}

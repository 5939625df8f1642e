'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { Field, Notice, Form } from '~/components/ui';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { useOrg } from '~/lib/use-org';
import { formText } from '~/lib/form';

export default function OrgSettingsPage() {
  const { orgId, role, atLeast } = useOrg();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const org = useQuery(trpc.orgs.get.queryOptions({ orgId }));
  const update = useMutation(
    trpc.orgs.update.mutationOptions({
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries(trpc.auth.me.queryFilter()),
          queryClient.invalidateQueries(trpc.orgs.get.queryFilter()),
        ]),
    }),
  );
  const canEdit = atLeast('ADMIN');

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    update.mutate({ orgId, name: formText(form, 'name'), slug: formText(form, 'slug') });
  }

  return (
    <>
      <h1>Settings</h1>
      {!canEdit ? <Notice kind="info">Your role ({role}) cannot change the organization; ask an ADMIN.</Notice> : null}
      <Notice kind="error">{org.error || update.error ? errorMessage(org.error ?? update.error) : null}</Notice>
      {update.isSuccess ? <Notice kind="ok">Saved.</Notice> : null}
      {org.data ? (
        <Form key={org.data.updatedAt.toString()} className="stack" onSubmit={onSubmit} style={{ maxWidth: 420 }}>
          <fieldset disabled={!canEdit} className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
            <Field label="Name">
              <input name="name" defaultValue={org.data.name} required maxLength={100} />
            </Field>
            <Field label="Slug" hint="Lowercase letters, digits and dashes">
              <input name="slug" defaultValue={org.data.slug} required maxLength={48} />
            </Field>
            <div>
              <button type="submit">Save</button>
            </div>
          </fieldset>
        </Form>
      ) : null}
    </>
  );
}

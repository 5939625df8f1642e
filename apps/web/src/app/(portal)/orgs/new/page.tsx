'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import type { FormEvent } from 'react';
import { Field, Notice, Form } from '~/components/ui';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { formText } from '~/lib/form';

export default function NewOrgPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const create = useMutation(
    trpc.orgs.create.mutationOptions({
      onSuccess: async (org) => {
        await queryClient.invalidateQueries(trpc.auth.me.queryFilter());
        router.push(`/o/${org.id}`);
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate({ name: formText(new FormData(event.currentTarget), 'name') });
  }

  return (
    <main className="auth">
      <h1>New organization</h1>
      <Form className="stack" onSubmit={onSubmit}>
        <Field label="Organization">
          <input name="name" required maxLength={100} />
        </Field>
        <Notice kind="error">{create.error ? errorMessage(create.error) : null}</Notice>
        <button type="submit" disabled={create.isPending}>
          Create organization
        </button>
      </Form>
    </main>
  );
}

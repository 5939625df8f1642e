'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import type { FormEvent } from 'react';
import { Field, Notice, Form } from '~/components/ui';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { formText } from '~/lib/form';

export default function ResetPasswordPage() {
  const { token } = useParams<{ token: string }>();
  const trpc = useTRPC();
  const reset = useMutation(trpc.auth.resetPassword.mutationOptions());

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    reset.mutate({ token, password: formText(new FormData(event.currentTarget), 'password') });
  }

  return (
    <main className="auth">
      <h1>Choose a new password</h1>
      {reset.isSuccess ? (
        <Notice kind="ok">
          Your password was changed. <Link href="/sign-in">Sign in</Link> with the new one.
        </Notice>
      ) : (
        <Form className="stack" onSubmit={onSubmit}>
          <Field label="New password" hint="At least 10 characters; not a common password.">
            <input name="password" type="password" autoComplete="new-password" required />
          </Field>
          <Notice kind="error">{reset.error ? errorMessage(reset.error) : null}</Notice>
          <button type="submit" disabled={reset.isPending}>
            Set password
          </button>
        </Form>
      )}
    </main>
  );
}

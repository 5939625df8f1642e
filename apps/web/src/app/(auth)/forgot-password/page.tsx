'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import type { FormEvent } from 'react';
import { Field, Notice, Form } from '~/components/ui';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { formText } from '~/lib/form';

export default function ForgotPasswordPage() {
  const trpc = useTRPC();
  const request = useMutation(trpc.auth.requestPasswordReset.mutationOptions());

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    request.mutate({ email: formText(new FormData(event.currentTarget), 'email') });
  }

  return (
    <main className="auth">
      <h1>Reset your password</h1>
      {request.isSuccess ? (
        <Notice kind="ok">
          If an account uses that address, we sent it a link to set a new password. The link works for one hour.
        </Notice>
      ) : (
        <Form className="stack" onSubmit={onSubmit}>
          <Field label="Email">
            <input name="email" type="email" autoComplete="email" required />
          </Field>
          <Notice kind="error">{request.error ? errorMessage(request.error) : null}</Notice>
          <button type="submit" disabled={request.isPending}>
            Send reset link
          </button>
        </Form>
      )}
      <p className="muted">
        <Link href="/sign-in">Back to sign in</Link>
      </p>
    </main>
  );
}

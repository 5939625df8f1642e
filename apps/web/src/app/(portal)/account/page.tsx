'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { signIn, signOut } from 'next-auth/react';
import { useState, type FormEvent } from 'react';
import { Field, Form, Notice, Section } from '~/components/ui';
import { useSignedOutRedirect } from '~/components/use-signed-out-redirect';
import { VerifyEmailReminder } from '~/components/verify-email-reminder';
import { formText } from '~/lib/form';
import { errorMessage, useTRPC } from '~/lib/trpc';

/** The signed-in user's own account: password, and the sessions it has on other devices. */
export default function AccountPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  useSignedOutRedirect(me.error);
  const change = useMutation(trpc.auth.changePassword.mutationOptions());
  const everywhere = useMutation(
    trpc.auth.signOutEverywhere.mutationOptions({ onSuccess: () => signOut({ redirectTo: '/sign-in' }) }),
  );
  const [changed, setChanged] = useState<string | null>(null);

  async function onChangePassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const newPassword = formText(form, 'newPassword');
    setChanged(null);
    const { email } = await change.mutateAsync({ currentPassword: formText(form, 'currentPassword'), newPassword });
    formElement.reset();
    // The change ended this session too; a fresh one keeps this browser signed in.
    const result = await signIn('credentials', { email, password: newPassword, redirect: false });
    setChanged(
      result?.error
        ? 'Your password was changed and every session ended; sign in again with the new one.'
        : 'Your password was changed. Every other session has been signed out.',
    );
  }

  return (
    <main className="auth stack">
      <h1>Your account</h1>
      <p className="muted">
        {me.data?.user.email} · <Link href="/orgs">Your organizations</Link>
      </p>
      {me.data?.user && !me.data.user.emailVerified ? (
        <VerifyEmailReminder why="Invitations can be accepted only from a confirmed address." />
      ) : null}
      <Section title="Change password">
        <Form className="stack" onSubmit={(e) => void onChangePassword(e).catch(() => undefined)}>
          <Field label="Current password">
            <input name="currentPassword" type="password" autoComplete="current-password" required />
          </Field>
          <Field label="New password" hint="At least 10 characters; not a common password.">
            <input name="newPassword" type="password" autoComplete="new-password" required />
          </Field>
          <Notice kind="error">{change.error ? errorMessage(change.error) : null}</Notice>
          <Notice kind="ok">{changed}</Notice>
          <button type="submit" disabled={change.isPending}>
            Change password
          </button>
        </Form>
      </Section>
      <Section title="Sessions">
        <p>Signed in on a device you no longer have, or on a shared computer? End every session, this one included.</p>
        <Notice kind="error">{everywhere.error ? errorMessage(everywhere.error) : null}</Notice>
        <button type="button" className="secondary" onClick={() => everywhere.mutate()} disabled={everywhere.isPending}>
          Sign out everywhere
        </button>
      </Section>
    </main>
  );
}

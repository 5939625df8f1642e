'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { signIn } from 'next-auth/react';
import { useParams, useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Field, Notice, Form } from '~/components/ui';
import { VerifyEmailReminder } from '~/components/verify-email-reminder';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { formText } from '~/lib/form';

export default function InvitationPage() {
  const { token } = useParams<{ token: string }>();
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const invitation = useQuery({ ...trpc.invitations.get.queryOptions({ token }), retry: false });
  const me = useQuery({ ...trpc.auth.me.queryOptions(), retry: false });
  const accept = useMutation(
    trpc.invitations.accept.mutationOptions({
      onSuccess: async (result) => {
        await queryClient.invalidateQueries(trpc.auth.me.queryFilter());
        router.push(`/o/${result.orgId}`);
      },
    }),
  );
  const join = useMutation(trpc.invitations.acceptAsNewUser.mutationOptions());
  const [error, setError] = useState<string | null>(null);

  async function onSignUp(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = formText(form, 'password');
    setError(null);
    try {
      const joined = await join.mutateAsync({ token, name: formText(form, 'name'), password });
      const result = await signIn('credentials', { email: joined.email, password, redirect: false });
      if (result?.error) throw new Error('your account was created, but signing in failed; sign in to continue');
      router.push(`/o/${joined.orgId}`);
      router.refresh();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  if (invitation.error) {
    return (
      <main className="auth">
        <h1>Invitation</h1>
        <Notice kind="error">{errorMessage(invitation.error)}</Notice>
      </main>
    );
  }
  if (!invitation.data || me.isPending) return <main className="auth">Loading…</main>;
  const inv = invitation.data;
  const signedIn = Boolean(me.data);
  return (
    <main className="auth stack">
      <h1>{`Join ${inv.orgName} on Sightline`}</h1>
      <p>{`You were invited as ${inv.role} (${inv.email}).`}</p>
      {inv.status === 'accepted' ? <Notice kind="info">This invitation has already been used.</Notice> : null}
      {inv.status === 'expired' ? <Notice kind="error">This invitation has expired; ask for a new one.</Notice> : null}
      {inv.status === 'open' && signedIn ? (
        <>
          {me.data?.user.emailVerified ? null : (
            <VerifyEmailReminder why={`Only a confirmed address can join ${inv.orgName}.`} />
          )}
          <button type="button" onClick={() => accept.mutate({ token })} disabled={accept.isPending}>
            Accept invitation
          </button>
          <Notice kind="error">{accept.error ? errorMessage(accept.error) : null}</Notice>
        </>
      ) : null}
      {inv.status === 'open' && !signedIn && inv.hasAccount ? (
        <p>
          <Link href={`/sign-in?next=/invitations/${token}`}>Sign in to accept</Link>
        </p>
      ) : null}
      {inv.status === 'open' && !signedIn && !inv.hasAccount ? (
        <Form className="stack" onSubmit={(e) => void onSignUp(e)}>
          <Field label="Email">
            <input value={inv.email} readOnly />
          </Field>
          <Field label="Name">
            <input name="name" autoComplete="name" required maxLength={100} />
          </Field>
          <Field label="Password" hint="At least 10 characters; not a common password.">
            <input name="password" type="password" autoComplete="new-password" required />
          </Field>
          <Notice kind="error">{error}</Notice>
          <button type="submit" disabled={join.isPending}>
            Create account and join
          </button>
        </Form>
      ) : null}
    </main>
  );
}

'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { signIn } from 'next-auth/react';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Field, Notice, Form } from '~/components/ui';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { formText } from '~/lib/form';
import { leaveWelcome } from '~/lib/welcome';

export function SignUpForm({ firstAccount = false }: { firstAccount?: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = {
      name: formText(form, 'name'),
      email: formText(form, 'email'),
      password: formText(form, 'password'),
      organization: formText(form, 'organization'),
    };
    setError(null);
    try {
      const created = await signUp.mutateAsync(input);
      const result = await signIn('credentials', { email: input.email, password: input.password, redirect: false });
      if (result?.error) throw new Error('your account was created, but signing in failed; sign in to continue');
      leaveWelcome(created.orgId);
      router.push(`/o/${created.orgId}`);
      router.refresh();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <main className="auth">
      <h1>Create your Sightline account</h1>
      {firstAccount ? (
        <p className="notice notice-info" role="status">
          This installation has no accounts yet: yours will be the first, and its platform administrator.
        </p>
      ) : null}
      <Form className="stack" onSubmit={(e) => void onSubmit(e)}>
        <Field label="Name">
          <input name="name" autoComplete="name" required maxLength={100} />
        </Field>
        <Field label="Email">
          <input name="email" type="email" autoComplete="email" required />
        </Field>
        <Field label="Password" hint="At least 10 characters; not a common password.">
          <input name="password" type="password" autoComplete="new-password" required />
        </Field>
        <Field label="Organization" hint="Your team or company; you can rename it later.">
          <input name="organization" required maxLength={100} />
        </Field>
        <Notice kind="error">{error}</Notice>
        <button type="submit" disabled={signUp.isPending}>
          {signUp.isPending ? 'Creating…' : 'Create account'}
        </button>
      </Form>
      <p className="muted">
        Already have an account? <Link href="/sign-in">Sign in</Link>
      </p>
    </main>
  );
}

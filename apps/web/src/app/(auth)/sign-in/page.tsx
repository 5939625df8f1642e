'use client';

import Link from 'next/link';
import { signIn } from 'next-auth/react';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { Field, Notice, Form } from '~/components/ui';
import { nextPath } from '~/lib/next-path';

const MESSAGES: Record<string, string> = {
  wrong_credentials: 'Wrong email or password.',
  rate_limited: 'Too many sign-in attempts. Wait a few minutes and try again.',
  unavailable: 'Sign-in is unavailable right now; try again shortly.',
};

export default function SignInPage() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await signIn('credentials', {
      email: form.get('email'),
      password: form.get('password'),
      redirect: false,
    });
    setPending(false);
    if (result?.error) {
      setError(MESSAGES[result.code ?? ''] ?? MESSAGES.wrong_credentials!);
      return;
    }
    router.push(nextPath());
    router.refresh();
  }

  return (
    <main className="auth">
      <h1>Sign in to Sightline</h1>
      <Form className="stack" onSubmit={(e) => void onSubmit(e)}>
        <Field label="Email">
          <input name="email" type="email" autoComplete="email" required />
        </Field>
        <Field label="Password">
          <input name="password" type="password" autoComplete="current-password" required />
        </Field>
        <Notice kind="error">{error}</Notice>
        <button type="submit" disabled={pending}>
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
      </Form>
      <p className="muted">
        <Link href="/forgot-password">Forgot your password?</Link> · New here?{' '}
        <Link href="/sign-up">Create an account</Link>
      </p>
    </main>
  );
}

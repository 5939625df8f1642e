'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useEffect } from 'react';
import { Notice } from '~/components/ui';
import { errorMessage, useTRPC } from '~/lib/trpc';

export default function VerifyEmailPage() {
  const { token } = useParams<{ token: string }>();
  const trpc = useTRPC();
  const verify = useMutation(trpc.auth.verifyEmail.mutationOptions());
  const { mutate } = verify;
  useEffect(() => mutate({ token }), [mutate, token]);

  return (
    <main className="auth">
      <h1>Confirm your email</h1>
      {verify.isPending || verify.isIdle ? <Notice kind="info">Checking your link…</Notice> : null}
      {verify.isSuccess ? <Notice kind="ok">Thanks — {verify.data.email} is confirmed.</Notice> : null}
      <Notice kind="error">{verify.error ? errorMessage(verify.error) : null}</Notice>
      <p>
        <Link href="/orgs">Go to Sightline</Link>
      </p>
    </main>
  );
}

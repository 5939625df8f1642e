'use client';

import { useMutation } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc';
import { Notice } from './ui';

/** Until the address is confirmed: invitations cannot be accepted, so offer a fresh link. */
export function VerifyEmailReminder({ why }: { why?: string }) {
  const trpc = useTRPC();
  const resend = useMutation(trpc.auth.resendVerification.mutationOptions());
  return (
    <Notice kind="info">
      Please confirm your email address: we sent you a link.{why ? ` ${why}` : ''}{' '}
      {resend.isSuccess ? (
        'Sent again.'
      ) : (
        <button type="button" className="secondary" onClick={() => resend.mutate()} disabled={resend.isPending}>
          Send it again
        </button>
      )}
    </Notice>
  );
}

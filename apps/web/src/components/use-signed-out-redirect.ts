'use client';

import { TRPCClientError } from '@trpc/client';
import { useEffect } from 'react';

/**
 * A session the api no longer honours (password reset elsewhere, "sign out everywhere") is
 * a signed-out user: back to the sign-in page, rather than a page of errors.
 */
export function useSignedOutRedirect(error: unknown): void {
  const unauthorized =
    error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === 'UNAUTHORIZED';
  useEffect(() => {
    if (unauthorized) window.location.assign('/sign-in');
  }, [unauthorized]);
}

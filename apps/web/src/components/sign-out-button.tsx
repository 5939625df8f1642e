'use client';

import { signOut } from 'next-auth/react';
import { useHydrated } from './ui';

export function SignOutButton() {
  const hydrated = useHydrated();
  return (
    <button
      type="button"
      className="secondary"
      disabled={!hydrated}
      onClick={() => void signOut({ redirectTo: '/sign-in' })}
    >
      Sign out
    </button>
  );
}

import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { auth } from '../../auth';

export const dynamic = 'force-dynamic';

/** Every portal page needs a session; without one, sign in first. */
export default async function PortalLayout({ children }: { children: ReactNode }) {
  const session = await auth();
  if (!session?.user) redirect('/sign-in');
  return children;
}

import { SightlineAnalytics } from '@sightline/sdk/next';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { auth } from '~/auth';
import { webEnv } from '~/server/env';
import { sessionStillValid } from '~/server/session-check';
import portal from '../../../package.json';

export const dynamic = 'force-dynamic';

/**
 * Every portal page needs a session the api still honours; without one, sign in first. With self-monitoring set
 * up, the portal reports its own page views (by route), Web Vitals and errors to a Sightline app.
 */
export default async function PortalLayout({ children }: { children: ReactNode }) {
  const session = await auth();
  if (!session?.user || !(await sessionStillValid(await headers()))) redirect('/sign-in');
  const { PORTAL_SIGHTLINE_KEY: key, PORTAL_SIGHTLINE_ENDPOINT: endpoint } = webEnv();
  return (
    <>
      {key && endpoint ? (
        <SightlineAnalytics sightlineKey={key} endpoint={endpoint} appVersion={portal.version} environment="portal" />
      ) : null}
      {children}
    </>
  );
}

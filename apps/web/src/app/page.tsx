import { SIGHTLINE_VERSION } from '@sightline/core/contracts';
import Link from 'next/link';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { auth } from '../auth';
import { signedInHome } from '../server/home';
import { readApiStatus } from './api-status';

export const dynamic = 'force-dynamic';

const FEATURES = [
  ['Usage analytics', 'Daily users, sessions, page and screen views, funnels, retention and feature adoption.'],
  [
    'Crash and error tracking',
    'Errors grouped by cause, with stack traces, breadcrumbs, releases and alerts by email, Slack or webhook.',
  ],
  ['Performance', 'Web Vitals and timings by page, version and device.'],
  [
    'Privacy and your own servers',
    'Self-hosted; IP addresses discarded by default, consent, export and deletion per user.',
  ],
] as const;

/** Signed out: what Sightline is and the way in. Signed in: straight to the last organization. */
export default async function HomePage() {
  const session = await auth();
  if (session?.user) {
    const home = await signedInHome(await headers());
    if (home) redirect(home);
  }
  const status = await readApiStatus();
  return (
    <main className="shell landing">
      <header>
        <h1>Sightline</h1>
        <p className="tagline">
          Sightline is self-hosted telemetry for your web, Node and mobile apps: usage analytics, crash and error
          tracking and performance monitoring in one place, on your own servers. Add one script tag (or the npm package,
          or the Sentry SDK you already use) and see your first events within seconds.
        </p>
      </header>
      <nav className="actions" aria-label="Get started">
        <Link className="primary" href="/sign-up">
          Create an account
        </Link>
        <Link className="ghost" href="/sign-in">
          Sign in
        </Link>
      </nav>
      <ul className="features" aria-label="Features">
        {FEATURES.map(([title, text]) => (
          <li key={title}>
            <strong>{title}</strong>
            <span className="muted">{text}</span>
          </li>
        ))}
      </ul>
      <footer className="site-footer">
        <span>Sightline {SIGHTLINE_VERSION}</span>
        <span className={status.ready ? 'status ok' : 'status down'} title={status.detail || undefined}>
          <span className="dot" aria-hidden="true" />
          System status: {status.ready ? 'API ready' : 'API unreachable'}
        </span>
      </footer>
    </main>
  );
}

'use client';

import { useSightlineError } from '@sightline/sdk/next';

/** A portal page that failed: said plainly, reported (with self-monitoring), and retryable. */
export default function PortalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useSightlineError(error);
  return (
    <main className="shell">
      <section className="panel" role="alert">
        <h1>Something went wrong</h1>
        <p className="notice notice-error">
          This page could not be shown{error.digest ? ` (reference ${error.digest})` : ''}. Try again; if it keeps
          happening, the reference helps your administrator find it in the portal&apos;s logs.
        </p>
        <button onClick={reset}>Try again</button>
      </section>
    </main>
  );
}

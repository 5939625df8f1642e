'use client';

import { useSightlineError } from '@sightline/sdk/next';

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useSightlineError(error);
  return (
    <main>
      <h1 id="failed">Something went wrong</h1>
      <button onClick={reset}>Try again</button>
    </main>
  );
}

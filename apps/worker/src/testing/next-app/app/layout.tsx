import { SightlineAnalytics } from '@sightline/sdk/next';
import type { ReactNode } from 'react';

// The key and endpoint are read per request, so one build serves any test's api.
export const dynamic = 'force-dynamic';

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <SightlineAnalytics
          sightlineKey={process.env.SIGHTLINE_KEY ?? ''}
          endpoint={process.env.SIGHTLINE_ENDPOINT ?? ''}
          appVersion="2.4.0"
          debug={process.env.SIGHTLINE_DEBUG === 'true'}
        />
        {children}
      </body>
    </html>
  );
}

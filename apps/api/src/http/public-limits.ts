import type { PublicLimits } from '@sightline/core';

// The device and privacy routes' limits, as a dependency of the server. Declared here, next
// to those routes, rather than in server.ts, which other work on the ingestion path changes.

declare module './server.ts' {
  interface ServerDeps {
    /** Device registration and privacy endpoints: per key, per address, per device (Redis). */
    publicLimits: PublicLimits;
  }
}

export type { PublicLimits };

import type { IngestBuffer } from '../buffer.ts';
import type { AppDirectory } from '../directory.ts';
import type { CredentialPort } from '../steps/credential.ts';
import type { IngestLimits } from '../steps/limits.ts';
import type { IngestMetrics } from './metrics.ts';

// What every pipeline is given: the services it writes to (from the api's wiring) and one
// request, read from whatever transport carried it (today Fastify; core never sees it).

export interface IngestDeps {
  buffer: Pick<IngestBuffer, 'append' | 'appendCrash' | 'appendMixed'>;
  directory: Pick<AppDirectory, 'resolve'>;
  limits: IngestLimits;
  metrics: IngestMetrics;
}

export interface IngestRequest {
  /** The parsed JSON body (events, crash) or the raw bytes (Sentry). */
  body: unknown;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The client's address (after the trusted proxies). */
  ip: string;
  credential: CredentialPort;
}

import type { Principal } from '../../keys/resolver.ts';
import type { IngestBuffer } from '../buffer.ts';
import type { AppDirectory, IngestTarget } from '../directory.ts';
import { appRefOf, resolveApp } from '../steps/app.ts';
import { authenticateSender, type CredentialPort } from '../steps/credential.ts';
import { checkOrigin, originOf } from '../steps/origin.ts';
import type { IngestLimits } from '../steps/limits.ts';
import type { IngestMetrics } from './metrics.ts';

// What every pipeline is given: the services it writes to (from the api's wiring) and one
// request, read from whatever transport carried it (today Fastify; core never sees it);
// and the first steps the JSON endpoints share.

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

/** The steps every SDK endpoint with a JSON body starts with: credential → app (the body's `app_id`) → origin. */
export async function admitSender(
  deps: IngestDeps,
  request: IngestRequest,
): Promise<{ principal: Principal; app: IngestTarget }> {
  const principal = await authenticateSender(request.credential);
  const app = await resolveApp(deps.directory, principal, appRefOf(request.body));
  checkOrigin(originOf(request.headers), app);
  return { principal, app };
}

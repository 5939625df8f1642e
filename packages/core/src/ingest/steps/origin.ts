import { AppError } from '../../errors.ts';
import type { IngestApp } from '../request.ts';

// Step 3, origin: a browser may send only from the app's allowed origins (none listed: any
// origin). No Origin header: not a browser, nothing to check.

/** Step: refuses (403) a browser origin the app does not list. */
export function checkOrigin(origin: string | undefined, app: Pick<IngestApp, 'allowedOrigins'>): void {
  if (!origin || app.allowedOrigins.length === 0 || app.allowedOrigins.includes(origin)) return;
  throw new AppError(
    'FORBIDDEN',
    `origin ${origin} may not send telemetry to this app; add it to the app's allowed origins`,
  );
}

/** The Origin header, as a browser sends it (once). */
export function originOf(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const origin = headers.origin;
  return typeof origin === 'string' ? origin : undefined;
}

import type { Principal } from '../../keys/resolver.ts';
import type { AppDirectory, IngestTarget } from '../directory.ts';

// Step 2, app: where the data lands. The credential decides (an ingest key or device token
// is bound to one app); a secret key with the ingest scope names one of its org's apps by
// the body's `app_id`. The directory answers from its cache (directory.ts).

/** The body's `app_id`, when it is one the directory can look up. */
export function appRefOf(body: unknown): string | number | undefined {
  const appRef = (body as { app_id?: unknown } | null)?.app_id;
  return typeof appRef === 'string' || typeof appRef === 'number' ? appRef : undefined;
}

/** Step: the principal and the app it names → the app's settings, or 404/403. */
export function resolveApp(
  directory: Pick<AppDirectory, 'resolve'>,
  principal: Principal,
  appRef: string | number | undefined,
): Promise<IngestTarget> {
  return directory.resolve(principal, appRef);
}

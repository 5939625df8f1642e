import { AppError } from '../../errors.ts';
import type { Principal } from '../../keys/resolver.ts';

// Step 1, credential: who sends. Core does not read HTTP requests: the api hands in a port
// that authenticates the request it holds (its auth layer caches the lookup made before the
// body was read, so this answers from that lookup).

export interface CredentialPort {
  /** The request's own credential (the Authorization header): 401 when missing or unknown. */
  authenticate(): Promise<Principal>;
  /** A credential the request carries elsewhere (a Sentry DSN key): 401 when unknown. */
  authenticateKey(key: string): Promise<Principal>;
}

/** Step: the request's credential → its principal. */
export function authenticateSender(credential: CredentialPort): Promise<Principal> {
  return credential.authenticate();
}

/** Sentry SDKs send with the app's pk_ key, the key in their DSN. */
export async function requireIngestKey(credential: CredentialPort, key: string): Promise<Principal> {
  const principal = await credential.authenticateKey(key);
  if (principal.kind !== 'ingest_key') {
    throw new AppError('FORBIDDEN', "Sentry SDKs send with the app's public ingest key (pk_…), the key in its DSN");
  }
  return principal;
}

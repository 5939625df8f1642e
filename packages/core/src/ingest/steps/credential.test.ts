import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.ts';
import { authenticateSender, requireIngestKey, type CredentialPort } from './credential.ts';
import { principal } from './fixtures.ts';

const port = (kind: typeof principal.kind): CredentialPort => ({
  authenticate: () => Promise.resolve({ ...principal, kind }),
  authenticateKey: (key) =>
    key === 'pk_known' ? Promise.resolve({ ...principal, kind }) : Promise.reject(new AppError('UNAUTHORIZED', 'no')),
});

describe('credential step', () => {
  it('answers the principal of the request’s own credential', async () => {
    await expect(authenticateSender(port('device_token'))).resolves.toMatchObject({ kind: 'device_token' });
  });

  it('takes only an ingest key from a Sentry DSN', async () => {
    await expect(requireIngestKey(port('ingest_key'), 'pk_known')).resolves.toMatchObject({ kind: 'ingest_key' });
    await expect(requireIngestKey(port('api_key'), 'pk_known')).rejects.toThrow(/public ingest key/);
    await expect(requireIngestKey(port('ingest_key'), 'pk_other')).rejects.toThrow(AppError);
  });
});

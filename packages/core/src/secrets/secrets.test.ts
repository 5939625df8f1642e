import { describe, expect, it } from 'vitest';
import { clientAddressHeaders, clientAddressSignature, sessionSecret } from './index.ts';

// Fixed vectors: what the api (http/session.ts) and the portal (server/env.ts, api-client.ts)
// each computed before they shared these helpers. A change here signs every portal user out
// and makes the api ignore the addresses the portal forwards, so it must be deliberate.
const SECRET = '0123456789abcdef0123456789abcdef-test';

describe('secrets shared by the api and the portal', () => {
  it('derives the portal session secret as both sides always did', () => {
    expect(sessionSecret(SECRET)).toBe('ivbulapBJa_9sWHs5dDHmnRyTLRVvOKPR187UuIjhjA');
  });

  it('signs a forwarded client address as both sides always did', () => {
    expect(clientAddressSignature(SECRET, '203.0.113.7')).toBe('OdmBHIQ_rRHTUM-9Piz4Mc2QpNnfWhZooQ6QqWhA4qk');
    expect(clientAddressHeaders(SECRET, '203.0.113.7')).toEqual({
      'x-sightline-client-ip': '203.0.113.7',
      'x-sightline-client-ip-signature': 'OdmBHIQ_rRHTUM-9Piz4Mc2QpNnfWhZooQ6QqWhA4qk',
    });
  });

  it('gives another secret another signature', () => {
    expect(clientAddressSignature(`${SECRET}x`, '203.0.113.7')).not.toBe(clientAddressSignature(SECRET, '203.0.113.7'));
  });
});

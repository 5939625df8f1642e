import { describe, expect, it } from 'vitest';
import { clientAddressOf, trustProxySchema } from './trust-proxy.ts';

const trust = (value: string) => trustProxySchema.parse(value);

describe('the client address behind TRUST_PROXY', () => {
  it('is the peer when TRUST_PROXY is off, whatever X-Forwarded-For says', () => {
    expect(clientAddressOf('203.0.113.7', '8.8.8.8', trust('false'))).toBe('203.0.113.7');
  });

  it('is the right-most address no trusted proxy added: a forged left-most one never wins', () => {
    const proxies = trust('127.0.0.1,198.51.100.0/24');
    expect(clientAddressOf('127.0.0.1', '6.6.6.6, 203.0.113.7, 198.51.100.1', proxies)).toBe('203.0.113.7');
    expect(clientAddressOf('127.0.0.1', '6.6.6.6, 203.0.113.7', proxies)).toBe('203.0.113.7');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(clientAddressOf('203.0.113.9', '8.8.8.8', trust('127.0.0.1'))).toBe('203.0.113.9');
  });

  it('is the peer itself when a trusted proxy forwarded nothing', () => {
    expect(clientAddressOf('127.0.0.1', undefined, trust('loopback'))).toBe('127.0.0.1');
  });

  it('with a hop count believes that many hops from the right, and no further', () => {
    expect(trust('1')).toBe(1);
    expect(trust('0')).toBe(false);
    // One proxy (the peer) appended the client's address; the left-most entry is the client's own writing.
    expect(clientAddressOf('10.0.0.5', '6.6.6.6, 203.0.113.7', trust('1'))).toBe('203.0.113.7');
    expect(clientAddressOf('10.0.0.5', '6.6.6.6, 203.0.113.7, 10.0.0.4', trust('2'))).toBe('203.0.113.7');
  });
});

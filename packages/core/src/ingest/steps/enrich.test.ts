import { describe, expect, it } from 'vitest';
import { truncateIp } from '../enrich.ts';
import { app, facts } from './fixtures.ts';
import { keptAddress, requestFacts, withAddress } from './enrich.ts';

describe('enrich step', () => {
  it('truncates addresses to their network', () => {
    expect(truncateIp('203.0.113.50')).toBe('203.0.113.0');
    expect(truncateIp('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe('2001:db8:85a3::');
    expect(truncateIp('::ffff:10.1.2.3')).toBe('10.1.2.0');
  });

  it('keeps the address only when the app asks for it truncated', () => {
    expect(keptAddress(app, facts)).toBeNull();
    expect(keptAddress({ ...app, ipPolicy: 'truncate' }, facts)).toBe('203.0.113.0');
    const data = { a: 1 };
    expect(withAddress(data, null)).toBe(data);
    expect(withAddress(data, '203.0.113.0')).toEqual({ a: 1, $ip: '203.0.113.0' });
  });

  it('reads the browser and the do-not-track wish from the request headers', () => {
    const read = requestFacts(
      { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', dnt: '1' },
      '203.0.113.50',
      42,
    );
    expect(read).toMatchObject({ receivedAt: 42, ip: '203.0.113.50', doNotTrack: true });
    expect(read.traits.browser).toBe('Firefox');
    expect(requestFacts({}, '203.0.113.50', 42).doNotTrack).toBe(false);
  });
});

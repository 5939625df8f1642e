import { describe, expect, it } from 'vitest';
import { hashDeviceId } from '../tenancy/devices.ts';
import { sentryAddressDeviceId, sentryUserDeviceId } from './derived-identity.ts';

describe('device ids derived from Sentry users and addresses', () => {
  const salt = 'a'.repeat(64);

  it('are never the id of a device registered with any spelling of the same key', () => {
    const derived = [sentryUserDeviceId(salt, '42'), sentryAddressDeviceId(salt, '203.0.113.7')];
    const claims = [
      '42',
      'ip:203.0.113.7',
      '203.0.113.7',
      'sentry:user:42',
      'sentry:ip:203.0.113.7',
      '\0sentry:user\u000042',
      'sentry:user\u000042',
    ];
    for (const claim of claims) expect(derived).not.toContain(hashDeviceId(salt, claim));
  });

  it('keep users and addresses apart, and apps apart', () => {
    expect(sentryUserDeviceId(salt, '203.0.113.7')).not.toBe(sentryAddressDeviceId(salt, '203.0.113.7'));
    expect(sentryUserDeviceId(salt, '42')).not.toBe(sentryUserDeviceId('b'.repeat(64), '42'));
    expect(sentryUserDeviceId(salt, '42')).toBe(sentryUserDeviceId(salt, '42'));
  });
});

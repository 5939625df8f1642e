import { EnvError } from '@sightline/core';
import { describe, expect, it } from 'vitest';
import { loadServerEnv } from './env.ts';

const secret = 'x'.repeat(32);

describe('api configuration', () => {
  it('defaults DATABASE_URL, REDIS_URL and the port to local services', () => {
    const env = loadServerEnv({ SIGHTLINE_SECRET: secret });
    expect(env.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/sightline');
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(env.PORT).toBe(4000);
  });

  it('stops with a message naming each bad or missing variable', () => {
    const attempt = () => loadServerEnv({ DATABASE_URL: 'mysql://nope', PORT: 'eighty' });
    expect(attempt).toThrow(EnvError);
    expect(attempt).toThrow(/DATABASE_URL: must start with postgresql:\/\//);
    expect(attempt).toThrow(/SIGHTLINE_SECRET: is required/);
    expect(attempt).toThrow(/PORT:/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadServerEnv({ SIGHTLINE_SECRET: secret, PORT: '' }).PORT).toBe(4000);
  });

  it('reads the device and privacy limits, with defaults, and names a bad one', () => {
    const env = loadServerEnv({ SIGHTLINE_SECRET: secret, PRIVACY_REQUESTS_PER_DAY: '3' });
    expect(env).toMatchObject({
      DEVICE_REGISTER_RPM: 300,
      DEVICE_REGISTER_IP_RPM: 60,
      PRIVACY_REQUESTS_PER_DAY: 3,
      PRIVACY_ORG_MAX_IN_FLIGHT: 2,
    });
    expect(() => loadServerEnv({ SIGHTLINE_SECRET: secret, PRIVACY_SETTINGS_WRITES_PER_MINUTE: '0' })).toThrow(
      /PRIVACY_SETTINGS_WRITES_PER_MINUTE:/,
    );
  });

  it('reads CORS_ALLOWED_ORIGINS as exact origins (none by default) and names a bad entry', () => {
    expect(loadServerEnv({ SIGHTLINE_SECRET: secret }).CORS_ALLOWED_ORIGINS).toEqual([]);
    const env = loadServerEnv({
      SIGHTLINE_SECRET: secret,
      CORS_ALLOWED_ORIGINS: 'https://console.example, http://localhost:8080',
    });
    expect(env.CORS_ALLOWED_ORIGINS).toEqual(['https://console.example', 'http://localhost:8080']);
    // A path or trailing slash would never equal the Origin a browser sends.
    expect(() => loadServerEnv({ SIGHTLINE_SECRET: secret, CORS_ALLOWED_ORIGINS: 'https://console.example/' })).toThrow(
      /CORS_ALLOWED_ORIGINS: https:\/\/console.example\/ is not an exact origin/,
    );
  });

  it('reads TRUST_PROXY (off by default, a hop count or addresses) and names a bad entry', () => {
    expect(loadServerEnv({ SIGHTLINE_SECRET: secret }).TRUST_PROXY).toBe(false);
    expect(loadServerEnv({ SIGHTLINE_SECRET: secret, TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadServerEnv({ SIGHTLINE_SECRET: secret, TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' }).TRUST_PROXY).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
    ]);
    expect(loadServerEnv({ SIGHTLINE_SECRET: secret, TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(() => loadServerEnv({ SIGHTLINE_SECRET: secret, TRUST_PROXY: '10.0.0.0/99' })).toThrow(
      /TRUST_PROXY: must be/,
    );
  });

  it('reads where webhooks may point and the outbound limits, strict by default, and names a bad one', () => {
    const env = loadServerEnv({ SIGHTLINE_SECRET: secret, INVITATIONS_PER_HOUR: '5' });
    expect(env.ALERT_ALLOW_PRIVATE_TARGETS).toMatchObject({ allowAll: false, ranges: [] });
    expect(env).toMatchObject({ ALERT_TEST_PER_HOUR: 30, INVITATIONS_PER_HOUR: 5, EMAIL_RECIPIENTS_PER_HOUR: 200 });
    expect(
      loadServerEnv({ SIGHTLINE_SECRET: secret, ALERT_ALLOW_PRIVATE_TARGETS: 'true' }).ALERT_ALLOW_PRIVATE_TARGETS,
    ).toMatchObject({ allowAll: true });
    const listed = loadServerEnv({
      SIGHTLINE_SECRET: secret,
      ALERT_ALLOW_PRIVATE_TARGETS: '10.0.0.0/8, hooks.internal',
    });
    expect([...listed.ALERT_ALLOW_PRIVATE_TARGETS.hosts]).toEqual(['hooks.internal']);
    expect(() => loadServerEnv({ SIGHTLINE_SECRET: secret, ALERT_ALLOW_PRIVATE_TARGETS: '10.0.0.0/99' })).toThrow(
      /ALERT_ALLOW_PRIVATE_TARGETS: "10.0.0.0\/99" is not a CIDR, an address or a host name/,
    );
  });
});

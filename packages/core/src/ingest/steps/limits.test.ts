import { describe, expect, it } from 'vitest';
import { app, principal } from './fixtures.ts';
import { rateLimitsFor } from './limits.ts';

describe('limits step', () => {
  it('counts a request against its key, its device in the app, and its address', () => {
    expect(rateLimitsFor({ perKey: 10, perDevice: 5, perIp: 20 }, principal, app, 'dev', '203.0.113.50')).toEqual([
      { subject: 'key:key-1', limit: 10 },
      { subject: 'device:7:dev', limit: 5 },
      { subject: 'ip:203.0.113.50', limit: 20 },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { truncateIp } from './enrich.ts';
import {
  clampClock,
  nameAndValue,
  normalizeEvents,
  sample,
  validateEvent,
  type IngestApp,
  type RequestFacts,
} from './pipeline.ts';
import { scrubString, scrubValue } from './scrub.ts';

const app: IngestApp = {
  orgId: '00000000-0000-4000-8000-000000000001',
  appId: 7,
  bundleId: 'com.example',
  allowedOrigins: [],
  sampleRate: 1,
  ipPolicy: 'discard',
  scrubFields: ['nickname'],
  rawEventRetentionDays: 7,
};
const now = Date.UTC(2026, 10, 22, 12);
const facts: RequestFacts = {
  receivedAt: now,
  ip: '203.0.113.50',
  traits: { browser: 'Firefox', os: 'Linux', osVersion: null, deviceType: 'desktop', country: 'DE' },
};

describe('PII scrubbing', () => {
  it('removes emails, Luhn-valid card numbers, SSNs, IPs and bearer tokens, and keeps look-alikes', () => {
    expect(scrubString('mail ada@example.com now')).toBe('mail [email] now');
    expect(scrubString('card 4111-1111-1111-1111')).toBe('card [card]');
    expect(scrubString('order 4111111111111112')).toBe('order 4111111111111112');
    expect(scrubString('ssn 078-05-1120')).toBe('ssn [ssn]');
    expect(scrubString('from 192.168.10.4 and 2001:db8:85a3::8a2e:370:7334')).toBe('from [ip] and [ip]');
    expect(scrubString('Authorization: Bearer abcdefgh12345678')).toBe('Authorization: Bearer [token]');
    expect(scrubString('version 1.2.3 at 10:30:45')).toBe('version 1.2.3 at 10:30:45');
  });

  it('filters secret-named keys and the app’s own fields at any depth', () => {
    const out = scrubValue(
      { user: { password: 'x', api_key: 'k', nickname: 'ada', city: 'Berlin' }, list: [{ token: 't' }] },
      new Set(['nickname']),
    );
    expect(out).toEqual({
      user: { password: '[Filtered]', api_key: '[Filtered]', nickname: '[Filtered]', city: 'Berlin' },
      list: [{ token: '[Filtered]' }],
    });
  });
});

describe('event steps', () => {
  it('clamps future times to arrival and drops events older than raw retention', () => {
    expect(clampClock(now + 60_000, facts, app)).toEqual({ ok: true, value: now });
    expect(clampClock(now - 8 * 86_400_000, facts, app)).toEqual({ ok: false, reason: 'too_old' });
  });

  it('keeps the clock at the edges of the window: N days back is in, a millisecond more is out', () => {
    const day = 86_400_000;
    const kept = (occurredAt: number) => ({ ok: true, value: occurredAt });
    const tooOld = { ok: false, reason: 'too_old' };
    // Past edge of the 7-day raw window (the app's rawEventRetentionDays), then N−1 and N+1 days.
    expect(clampClock(now - 7 * day, facts, app)).toEqual(kept(now - 7 * day));
    expect(clampClock(now - 7 * day - 1, facts, app)).toEqual(tooOld);
    expect(clampClock(now - 6 * day, facts, app)).toEqual(kept(now - 6 * day));
    expect(clampClock(now - 8 * day, facts, app)).toEqual(tooOld);
    // The window is the app's own: a 30-day app keeps what a 7-day app drops.
    const month = { ...app, rawEventRetentionDays: 30 };
    expect(clampClock(now - 8 * day, facts, month)).toEqual(kept(now - 8 * day));
    expect(clampClock(now - 30 * day, facts, month)).toEqual(kept(now - 30 * day));
    expect(clampClock(now - 30 * day - 1, facts, month)).toEqual(tooOld);
    // Future edge: arrival time itself is kept as sent; a millisecond later becomes arrival time.
    expect(clampClock(now, facts, app)).toEqual(kept(now));
    expect(clampClock(now - 1, facts, app)).toEqual(kept(now - 1));
    expect(clampClock(now + 1, facts, app)).toEqual(kept(now));
    expect(clampClock(now + day, facts, app)).toEqual(kept(now));
  });

  it('samples by the app rate but never drops crashes', () => {
    const half = { ...app, sampleRate: 0.5 };
    expect(sample('screen_view', half, () => 0.9).ok).toBe(false);
    expect(sample('screen_view', half, () => 0.1).ok).toBe(true);
    expect(sample('app_crash', { ...app, sampleRate: 0 }, () => 0.99).ok).toBe(true);
  });

  it('checks the data a known type must carry and takes name and value from it', () => {
    expect(validateEvent({ type: 'web_vital', timestamp: now, data: { name: 'LCP' } }, 0).ok).toBe(false);
    const vital = validateEvent({ type: 'web_vital', timestamp: now, data: { name: 'INP', value: 180 } }, 0);
    expect(vital.ok && nameAndValue(vital.value)).toEqual({ name: 'INP', value: 180 });
    // Pages group by their route pattern when the app's router sent one, else by path.
    const routed = validateEvent(
      { type: 'page_view', timestamp: now, data: { path: '/shop/42', route: '/shop/[id]' } },
      0,
    );
    expect(routed.ok && nameAndValue(routed.value).name).toBe('/shop/[id]');
    const plain = validateEvent({ type: 'page_view', timestamp: now, data: { path: '/shop/42' } }, 0);
    expect(plain.ok && nameAndValue(plain.value).name).toBe('/shop/42');
    const custom = validateEvent(
      { type: 'order_placed', timestamp: new Date(now).toISOString(), data: { total: 30 } },
      0,
    );
    expect(custom.ok).toBe(true);
  });

  it('keeps the good events of a batch and says which ones were bad and why', () => {
    const batch = {
      device_id: 'dev',
      events: [
        { type: 'app_start', timestamp: now },
        { type: 'screen_view', timestamp: now },
        { type: 'x', timestamp: now, data: { deep: JSON.parse('['.repeat(30) + ']'.repeat(30)) as unknown } },
      ],
    };
    const out = normalizeEvents(batch, app, facts);
    expect(out.events).toHaveLength(1);
    expect(out.events[0]?.[13]).toBe('DE');
    expect(out.errors.map((e) => e.index)).toEqual([1, 2]);
    expect(out.errors[1]?.issues[0]?.message).toMatch(/nested deeper/);
  });

  it('truncates addresses to their network', () => {
    expect(truncateIp('203.0.113.50')).toBe('203.0.113.0');
    expect(truncateIp('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe('2001:db8:85a3::');
    expect(truncateIp('::ffff:10.1.2.3')).toBe('10.1.2.0');
  });
});

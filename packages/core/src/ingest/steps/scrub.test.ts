import { describe, expect, it } from 'vitest';
import { scrubString, scrubValue } from '../scrub.ts';
import { scrubData, scrubKeysOf } from './scrub.ts';

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

describe('scrub step', () => {
  it('stores scrubbed JSON and filters the app’s own fields, whatever their case', () => {
    const keys = scrubKeysOf({ scrubFields: ['NickName'] });
    expect(scrubData({ nickname: 'ada', note: 'mail ada@example.com' }, keys, 0)).toEqual({
      ok: true,
      value: '{"nickname":"[Filtered]","note":"mail [email]"}',
    });
  });

  it('drops data over the size limit as too_large, naming the event', () => {
    const out = scrubData({ blob: 'x'.repeat(70_000) }, new Set(), 4);
    expect(out).toMatchObject({ ok: false, reason: 'too_large' });
    expect(!out.ok && out.issues?.[0]?.path).toBe('events.4.data');
  });
});

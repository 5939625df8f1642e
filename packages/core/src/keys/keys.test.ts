import { describe, expect, it } from 'vitest';
import { generateKey, hashKey, keyKindOf, randomAlphanumeric } from './keys.ts';

describe('generateKey', () => {
  it('makes keys a Sentry DSN accepts as a public key (\\w+ only)', () => {
    for (const kind of ['pk', 'sk', 'dt'] as const) {
      const { key } = generateKey(kind);
      expect(key).toMatch(new RegExp(`^${kind}_[A-Za-z0-9]+$`));
      expect(`http://${key}@127.0.0.1:4000/42`).toMatch(/^https?:\/\/\w+@[^/]+\/\d+$/);
    }
  });

  it('stores a hash that matches the key and not another', () => {
    const a = generateKey('sk');
    const b = generateKey('sk');
    expect(a.key).not.toBe(b.key);
    expect(a.hash).toBe(hashKey(a.key));
    expect(a.hash).not.toBe(hashKey(b.key));
    expect(a.hash).not.toContain(a.key.slice(3));
    expect(a.key.startsWith(a.prefix)).toBe(true);
  });

  it('draws every letter and digit', () => {
    const seen = new Set(randomAlphanumeric(20_000));
    expect(seen.size).toBe(62);
  });

  it('recognises key kinds and rejects anything else', () => {
    expect(keyKindOf(generateKey('pk').key)).toBe('pk');
    expect(keyKindOf('sk_abc-def')).toBeNull();
    expect(keyKindOf('xx_abc')).toBeNull();
  });
});

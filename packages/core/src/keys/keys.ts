import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export type KeyKind = 'pk' | 'sk' | 'dt';

// Ingest keys travel inside Sentry DSNs, whose parsers accept only \w+ public keys: so
// every key is its prefix plus letters and digits only.
const KEY_LENGTH: Record<KeyKind, number> = { pk: 32, sk: 40, dt: 40 };

/** Uniform random letters and digits (rejection sampling: no modulo bias). */
export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export interface GeneratedKey {
  /** The whole key: shown to its owner once, never stored. */
  key: string;
  /** What is stored and looked up. */
  hash: string;
  /** Enough to recognise the key in a list (`sk_AbC12345`). */
  prefix: string;
}

export function generateKey(kind: KeyKind): GeneratedKey {
  const key = `${kind}_${randomAlphanumeric(KEY_LENGTH[kind])}`;
  return { key, hash: hashKey(key), prefix: key.slice(0, kind.length + 9) };
}

/** Keys carry ≥190 bits of entropy, so a fast unsalted hash is safe and allows lookup. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function keyKindOf(key: string): KeyKind | null {
  const match = /^(pk|sk|dt)_[A-Za-z0-9]+$/.exec(key);
  return (match?.[1] as KeyKind | undefined) ?? null;
}

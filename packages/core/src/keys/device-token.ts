import { createHmac, timingSafeEqual } from 'node:crypto';
import { hashKey, randomAlphanumeric } from './keys.ts';

// dt_<24 random><16 signature>: letters and digits only, like every Sightline key. The
// signature lets the resolver reject forged or mistyped tokens without a lookup.
const RANDOM_LENGTH = 24;
const SIGNATURE_LENGTH = 16;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function signature(secret: string, body: string): string {
  const mac = createHmac('sha256', secret).update(`dt:${body}`).digest();
  let out = '';
  for (let i = 0; i < SIGNATURE_LENGTH; i++) out += ALPHABET[(mac[i] ?? 0) % 62];
  return out;
}

export interface IssuedDeviceToken {
  token: string;
  hash: string;
  prefix: string;
}

export function issueDeviceToken(secret: string): IssuedDeviceToken {
  const body = randomAlphanumeric(RANDOM_LENGTH);
  const token = `dt_${body}${signature(secret, body)}`;
  return { token, hash: hashKey(token), prefix: token.slice(0, 12) };
}

export function verifyDeviceTokenSignature(secret: string, token: string): boolean {
  if (!/^dt_[A-Za-z0-9]+$/.test(token) || token.length !== 3 + RANDOM_LENGTH + SIGNATURE_LENGTH) return false;
  const body = token.slice(3, 3 + RANDOM_LENGTH);
  const given = Buffer.from(token.slice(3 + RANDOM_LENGTH));
  const expected = Buffer.from(signature(secret, body));
  return timingSafeEqual(given, expected);
}

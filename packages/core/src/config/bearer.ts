import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether an Authorization header carries `Bearer <token>`; compared in constant time. */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const presented = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : '';
  // Digests have equal lengths, so the comparison takes the same time whatever was sent.
  return presented !== '' && timingSafeEqual(digest(presented), digest(token));
}

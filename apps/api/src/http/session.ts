import { timingSafeEqual } from 'node:crypto';
import { getToken } from '@auth/core/jwt';
import { isSessionCurrent } from '@sightline/core';
import {
  CLIENT_ADDRESS_HEADER,
  CLIENT_ADDRESS_SIGNATURE_HEADER,
  clientAddressSignature,
  sessionSecret,
} from '@sightline/core/secrets';
import type { PrismaClient } from '@sightline/db';
import type { FastifyRequest } from 'fastify';

/** The claim of the portal's session cookie that holds the user's session version at sign-in. */
export const SESSION_VERSION_CLAIM = 'sv';

/**
 * The signed-in user's id from the next-auth session cookie (an encrypted JWT), or null.
 * The cookie is `__Secure-`-prefixed behind https and plain in development; both are read.
 * A cookie whose session version is no longer the user's (password reset or change, sign out
 * everywhere) is no session at all.
 */
export async function sessionUserId(
  request: FastifyRequest,
  secret: string,
  prisma: PrismaClient,
): Promise<string | null> {
  const cookie = request.headers.cookie;
  if (!cookie?.includes('authjs.session-token')) return null;
  const req = { headers: { cookie } };
  const authSecret = sessionSecret(secret);
  for (const secureCookie of [true, false]) {
    const token = await getToken({ req, secret: authSecret, secureCookie }).catch(() => null);
    if (token && typeof token.sub === 'string')
      return (await isSessionCurrent(prisma, token.sub, token[SESSION_VERSION_CLAIM])) ? token.sub : null;
  }
  return null;
}

/**
 * The caller's address. The portal proxies the browser's requests, so it passes the browser's
 * address in a header signed with SIGHTLINE_SECRET; an unsigned or forged one is ignored.
 */
export function clientIp(request: FastifyRequest, secret: string): string {
  const ip = request.headers[CLIENT_ADDRESS_HEADER];
  const signature = request.headers[CLIENT_ADDRESS_SIGNATURE_HEADER];
  if (typeof ip === 'string' && typeof signature === 'string' && ip.length <= 64) {
    const expected = Buffer.from(clientAddressSignature(secret, ip));
    const given = Buffer.from(signature);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return ip;
  }
  return request.ip;
}

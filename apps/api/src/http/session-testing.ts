import { encode } from '@auth/core/jwt';
import { sessionSecret } from '@sightline/core/secrets';
import { SESSION_VERSION_CLAIM } from './session.ts';

export const SESSION_COOKIE = 'authjs.session-token';

/**
 * The cookie a browser carries after signing in to the portal, made the way next-auth makes
 * it (apps/web/src/auth.ts stamps the session version the sign-in returned).
 */
export async function portalSessionCookie(
  secret: string,
  userId: string,
  options: { sessionVersion?: number; sealWith?: string; maxAge?: number } = {},
): Promise<string> {
  const token = await encode({
    token: {
      sub: userId,
      ...(options.sessionVersion === undefined ? {} : { [SESSION_VERSION_CLAIM]: options.sessionVersion }),
    },
    secret: options.sealWith ?? sessionSecret(secret),
    salt: SESSION_COOKIE,
    maxAge: options.maxAge ?? 3600,
  });
  return `${SESSION_COOKIE}=${token}`;
}

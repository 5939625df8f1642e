import { clientIpOf, forwardedIpHeaders } from './api-client';
import { webEnv } from './env';

/**
 * Whether the api still honours the browser's session cookie. next-auth only checks the seal
 * and the expiry; a session ended by a password reset or "sign out everywhere" is known only
 * to the api. An unreachable api is not a signed-out user: the pages show that error themselves.
 */
export async function sessionStillValid(headers: Headers): Promise<boolean> {
  const cookie = headers.get('cookie');
  if (!cookie) return false;
  try {
    const res = await fetch(`${webEnv().API_URL}/trpc/auth.me`, {
      headers: { cookie, ...forwardedIpHeaders(clientIpOf(headers)) },
      cache: 'no-store',
    });
    return res.status !== 401;
  } catch {
    return true;
  }
}

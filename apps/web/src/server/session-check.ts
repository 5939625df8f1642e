import { clientIpOf, forwardedIpHeaders } from './api-client';
import { webEnv } from './env';

/**
 * The api's `auth.me` for the browser's session cookie, as the raw answer (401 when the api
 * no longer honours the session). Null without a cookie; throws when the api is unreachable.
 */
export async function askApiWhoIsSignedIn(headers: Headers, timeoutMs?: number): Promise<Response | null> {
  const cookie = headers.get('cookie');
  if (!cookie) return null;
  return fetch(`${webEnv().API_URL}/trpc/auth.me`, {
    headers: { cookie, ...forwardedIpHeaders(clientIpOf(headers)) },
    cache: 'no-store',
    ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
  });
}

/**
 * Whether the api still honours the browser's session cookie. next-auth only checks the seal
 * and the expiry; a session ended by a password reset or "sign out everywhere" is known only
 * to the api. An unreachable api is not a signed-out user: the pages show that error themselves.
 */
export async function sessionStillValid(headers: Headers): Promise<boolean> {
  try {
    const res = await askApiWhoIsSignedIn(headers);
    return res !== null && res.status !== 401;
  } catch {
    return true;
  }
}

import { createHmac } from 'node:crypto';
import type { AppRouter } from '@sightline/api/trpc';
import { createTRPCClient, httpLink } from '@trpc/client';
import superjson from 'superjson';
import { webEnv } from './env';

/** The browser's address as the portal saw it; `unknown` when no proxy in front said. */
export function clientIpOf(headers: Headers): string {
  const forwarded = headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  return forwarded || headers.get('x-real-ip') || 'unknown';
}

/** Headers that carry the browser's address to the api, signed so nobody else can claim one. */
export function forwardedIpHeaders(ip: string): Record<string, string> {
  const signature = createHmac('sha256', webEnv().SIGHTLINE_SECRET).update(`client-ip:${ip}`).digest('base64url');
  return { 'x-sightline-client-ip': ip, 'x-sightline-client-ip-signature': signature };
}

/** A tRPC client for the portal's server side (sign-in), acting for one browser address. */
export function serverApi(ip: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({ url: `${webEnv().API_URL}/trpc`, transformer: superjson, headers: () => forwardedIpHeaders(ip) }),
    ],
  });
}

import type { AppRouter } from '@sightline/api/trpc';
import { clientAddressHeaders } from '@sightline/core/secrets';
import { clientAddressOf } from '@sightline/core/trust-proxy';
import { createTRPCClient, httpLink } from '@trpc/client';
import superjson from 'superjson';
import { webEnv } from './env';

/**
 * The browser's address: TRUST_PROXY applied to the socket's peer and X-Forwarded-For, the rule
 * the api uses (the right-most address no trusted proxy added). Next.js does not show route
 * handlers the peer, so next-server.mjs stamps it on each request; under any other server
 * (`next dev`) that header could come from the client, so the address is `unknown`.
 */
export function clientIpOf(headers: Headers): string {
  const peerHeader = (globalThis as Record<symbol, unknown>)[Symbol.for('sightline.web.peerHeader')];
  const peer = typeof peerHeader === 'string' ? headers.get(peerHeader) : null;
  if (!peer) return 'unknown';
  return clientAddressOf(peer, headers.get('x-forwarded-for') ?? undefined, webEnv().TRUST_PROXY);
}

/** Headers that carry the browser's address to the api, signed so nobody else can claim one. */
export function forwardedIpHeaders(ip: string): Record<string, string> {
  return clientAddressHeaders(webEnv().SIGHTLINE_SECRET, ip);
}

/** A tRPC client for the portal's server side (sign-in), acting for one browser address. */
export function serverApi(ip: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({ url: `${webEnv().API_URL}/trpc`, transformer: superjson, headers: () => forwardedIpHeaders(ip) }),
    ],
  });
}

import proxyAddr from '@fastify/proxy-addr';
import { z } from 'zod';

// TRUST_PROXY, shared by the api (Fastify's `trustProxy`) and the portal (apps/web), so both
// name the same client for one request. This file imports only zod and @fastify/proxy-addr:
// the portal's Next.js build takes it through the `@sightline/core/trust-proxy` entry.

/** Who may set X-Forwarded-For: nobody, everybody, or the proxies at these addresses/CIDRs. */
export type TrustProxy = boolean | string[];

const HOP_COUNT_REFUSED =
  'a hop count cannot check that the header came from your proxy (Fastify refuses it too); ' +
  "list your proxies' addresses instead, e.g. 127.0.0.1,10.0.0.0/8 or loopback,uniquelocal";

/**
 * `false` (default), `true` (every peer is a proxy: only when nothing reaches the process
 * except through one), or a comma-separated list of addresses, CIDRs and proxy-addr's names
 * `loopback`, `linklocal`, `uniquelocal`.
 */
export const trustProxySchema = z
  .string()
  .optional()
  .transform((raw, ctx): TrustProxy => {
    const value = raw?.trim().toLowerCase() ?? '';
    if (value === '' || value === 'false') return false;
    if (value === 'true') return true;
    if (/^\d+$/.test(value)) {
      ctx.addIssue({ code: 'custom', message: HOP_COUNT_REFUSED });
      return false;
    }
    const proxies = value.split(',').map((entry) => entry.trim());
    try {
      proxyAddr.compile(proxies);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `must be true, false or addresses/CIDRs separated by commas (${(error as Error).message})`,
      });
      return false;
    }
    return proxies;
  });

export const trustProxyEnv = {
  /** Proxies whose X-Forwarded-For is believed; the client is the right-most address they did not add. */
  TRUST_PROXY: trustProxySchema,
};

/**
 * The client's address: walking X-Forwarded-For from the right, starting at the socket's peer,
 * the first address that is not a trusted proxy (what Fastify's `request.ip` gives). Left-most
 * entries are whatever the client wrote and never win past an untrusted hop.
 */
export function clientAddressOf(peer: string, forwardedFor: string | undefined, trust: TrustProxy): string {
  if (trust === false) return peer;
  const request = {
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  } as unknown as Parameters<typeof proxyAddr.all>[0];
  const addresses = proxyAddr.all(request, trust === true ? () => true : proxyAddr.compile(trust));
  return addresses[addresses.length - 1] ?? peer;
}

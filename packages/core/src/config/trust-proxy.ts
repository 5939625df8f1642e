import proxyAddr from '@fastify/proxy-addr';
import { z } from 'zod';

// TRUST_PROXY, shared by the api (Fastify's `trustProxy`) and the portal (apps/web), so both
// name the same client for one request. This file imports only zod and @fastify/proxy-addr:
// the portal's Next.js build takes it through the `@sightline/core/trust-proxy` entry.

/**
 * Who may set X-Forwarded-For: nobody, everybody, the nearest `n` hops, or the proxies at
 * these addresses/CIDRs.
 */
export type TrustProxy = boolean | number | string[];

/**
 * `false` (default), `true` (every peer is a proxy), a hop count `n` (the socket's peer and the
 * `n - 1` addresses it appended are proxies) — both only when nothing reaches the process
 * except through those proxies, since neither can check who sent the header — or a
 * comma-separated list of addresses, CIDRs and proxy-addr's names `loopback`, `linklocal`,
 * `uniquelocal` (the safe choice: a peer that is not listed is never believed).
 */
export const trustProxySchema = z
  .string()
  .optional()
  .transform((raw, ctx): TrustProxy => {
    const value = raw?.trim().toLowerCase() ?? '';
    if (value === '' || value === 'false') return false;
    if (value === 'true') return true;
    if (/^\d{1,3}$/.test(value)) return Number(value) === 0 ? false : Number(value);
    const proxies = value.split(',').map((entry) => entry.trim());
    try {
      proxyAddr.compile(proxies);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `must be true, false, a hop count or addresses/CIDRs separated by commas (${(error as Error).message})`,
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
  const addresses = proxyAddr.all(request, trustFunction(trust));
  return addresses[addresses.length - 1] ?? peer;
}

/**
 * The setting as a function Fastify's `trustProxy` takes. Fastify is given a function, not the
 * number: since 5.12 it trusts nobody for a bare hop count, which would silently turn the
 * operator's setting off.
 */
export function trustFunction(trust: Exclude<TrustProxy, false>): (address: string, hop: number) => boolean {
  if (trust === true) return () => true;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return proxyAddr.compile(trust);
}

import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { AppError } from '../errors.ts';

// Where a webhook may point. A tenant chooses the URL and reads the outcome in the delivery
// log, so an unchecked URL lets it probe the operator's network: loopback, private ranges,
// link-local cloud metadata (169.254.169.254). Only globally routable unicast addresses
// pass, unless the operator allows more with ALERT_ALLOW_PRIVATE_TARGETS. The address is
// checked after resolving, and the connection goes to that checked address (deliver.ts pins
// it), so a name that answers differently a moment later cannot slip through.

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export interface TargetPolicy {
  /** `true`: any address (a closed network where every target is trusted). */
  allowAll: boolean;
  /** Ranges allowed although not public, e.g. 10.20.0.0/16. */
  ranges: Array<[Address, number]>;
  /** Host names allowed whatever they resolve to, e.g. hooks.internal. */
  hosts: ReadonlySet<string>;
}

export const STRICT_TARGETS: TargetPolicy = { allowAll: false, ranges: [], hosts: new Set() };

/** Resolves a host name to every address it has (tests answer from a table). */
export type ResolveHost = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export const resolveHost: ResolveHost = (hostname) => lookup(hostname, { all: true, verbatim: true });

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * ALERT_ALLOW_PRIVATE_TARGETS: `false` (default), `true`, or a comma-separated list of
 * CIDRs, addresses and host names that webhooks may reach although they are not public.
 */
export const targetPolicySchema = z
  .string()
  .default('false')
  .transform((value, ctx): TargetPolicy => {
    const text = value.trim().toLowerCase();
    if (text === 'false' || text === '') return STRICT_TARGETS;
    if (text === 'true') return { allowAll: true, ranges: [], hosts: new Set() };
    const ranges: TargetPolicy['ranges'] = [];
    const hosts = new Set<string>();
    for (const entry of text
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)) {
      if (entry.includes('/') && isCidr(entry)) ranges.push(ipaddr.parseCIDR(entry));
      else if (ipaddr.isValid(entry)) {
        const address = ipaddr.parse(entry);
        ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
      } else if (HOST_NAME.test(entry)) hosts.add(entry);
      else {
        ctx.addIssue({
          code: 'custom',
          message: `"${entry}" is not a CIDR, an address or a host name (use true, false or a comma-separated list)`,
        });
        return z.NEVER;
      }
    }
    return { allowAll: false, ranges, hosts };
  });

function isCidr(entry: string): boolean {
  try {
    ipaddr.parseCIDR(entry);
    return true;
  } catch {
    return false;
  }
}

/** The range an address falls in, as ipaddr.js names it; `unicast` is a public address. */
function rangeOf(address: Address): string {
  if (address.kind() === 'ipv6') {
    const v6 = address as ipaddr.IPv6;
    // ::ffff:127.0.0.1 reaches 127.0.0.1.
    if (v6.isIPv4MappedAddress()) return rangeOf(v6.toIPv4Address());
    // The deprecated IPv4-compatible form ::a.b.c.d (::/96) is "unicast" to ipaddr.js, yet a
    // host with automatic tunnelling reaches a.b.c.d through it: never a public target.
    if (v6.range() === 'unicast' && v6.parts.slice(0, 6).every((part) => part === 0)) return 'ipv4Compatible';
  }
  return address.range();
}

function allowedByOperator(policy: TargetPolicy, hostname: string, address: Address): boolean {
  if (policy.allowAll || policy.hosts.has(hostname)) return true;
  const candidates: Address[] = [address];
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    candidates.push((address as ipaddr.IPv6).toIPv4Address());
  }
  return policy.ranges.some(([range, bits]) =>
    candidates.some((a) => a.kind() === range.kind() && a.match(range, bits)),
  );
}

/** Why an address is refused (`loopback`, `private`, `linkLocal`…), or null when it may be reached. */
export function refusedRange(policy: TargetPolicy, hostname: string, address: string): string | null {
  const parsed = ipaddr.parse(address);
  const range = rangeOf(parsed);
  if (range === 'unicast' || allowedByOperator(policy, hostname, parsed)) return null;
  return range;
}

/** A URL's host as resolvers take it: lower case, IPv6 without brackets. */
export function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
}

export class BlockedTargetError extends Error {
  override readonly name = 'BlockedTargetError';
  constructor(
    readonly hostname: string,
    readonly range: string,
  ) {
    super(`${hostname} is a ${range} address`);
  }
}

/**
 * Resolves the webhook's host once and checks every address it has: one refused address
 * refuses the target (a name answering both public and private addresses is not trusted).
 * Returns the address to connect to.
 */
export async function checkTarget(
  url: URL,
  policy: TargetPolicy,
  resolve: ResolveHost = resolveHost,
): Promise<{ address: string; family: 4 | 6 }> {
  const hostname = hostOf(url);
  const addresses = ipaddr.isValid(hostname)
    ? [{ address: hostname, family: ipaddr.parse(hostname).kind() === 'ipv4' ? 4 : 6 }]
    : await resolve(hostname);
  if (addresses.length === 0) throw Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
  for (const { address } of addresses) {
    const range = refusedRange(policy, hostname, address);
    if (range) throw new BlockedTargetError(hostname, range);
  }
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

const CREATE_LOOKUP_MS = 3000;

/**
 * At channel creation: a URL whose host is, or resolves to, a refused address is a 400. A
 * name that does not resolve yet is accepted: every delivery checks again before it connects.
 */
export async function assertWebhookTarget(rawUrl: string, policy: TargetPolicy, resolve: ResolveHost = resolveHost) {
  const url = new URL(rawUrl);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), CREATE_LOOKUP_MS)));
  try {
    await Promise.race([checkTarget(url, policy, resolve), timeout]);
  } catch (error) {
    if (!(error instanceof BlockedTargetError)) return;
    throw new AppError(
      'BAD_REQUEST',
      `url must reach a public address: ${error.hostname} is a ${error.range} address (the operator may allow it with ALERT_ALLOW_PRIVATE_TARGETS)`,
      [{ path: 'url', message: `${error.hostname} is a ${error.range} address` }],
    );
  } finally {
    clearTimeout(timer);
  }
}

/** What anyone reading a channel sees of its webhook URL: the origin, never the path or query. */
export function maskWebhookUrl(rawUrl: string): string {
  try {
    return `${new URL(rawUrl).origin}/…`;
  } catch {
    return '…';
  }
}

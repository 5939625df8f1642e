import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { UAParser } from 'ua-parser-js';

export interface ClientTraits {
  browser: string | null;
  os: string | null;
  osVersion: string | null;
  /** mobile, tablet, desktop, … (ua-parser's device type; desktop when it names none). */
  deviceType: string | null;
  country: string | null;
}

// geoip-country ships its GeoLite2 country data in the package and has no type definitions.
const geoip = createRequire(import.meta.url)('geoip-country') as { lookup(ip: string): { country: string } | null };

const uaCache = new Map<string, Omit<ClientTraits, 'country'>>();
const UA_CACHE_MAX = 5_000;

/** Browser, OS and device type from a User-Agent (cached: SDK fleets send few distinct ones). */
export function parseUserAgent(userAgent: string | undefined): Omit<ClientTraits, 'country'> {
  if (!userAgent) return { browser: null, os: null, osVersion: null, deviceType: null };
  // Only the first 512 characters are parsed, so only they key the cache: 5 000 distinct
  // 16 KB User-Agents would otherwise hold 80 MB of the api's heap.
  const parsed = userAgent.slice(0, 512);
  const cached = uaCache.get(parsed);
  if (cached) return cached;
  const ua = new UAParser(parsed).getResult();
  const traits = {
    browser: ua.browser.name ?? null,
    os: ua.os.name ?? null,
    osVersion: ua.os.version ?? null,
    deviceType: ua.device.type ?? (ua.os.name ? 'desktop' : null),
  };
  if (uaCache.size >= UA_CACHE_MAX) uaCache.clear();
  uaCache.set(parsed, traits);
  return traits;
}

/** ISO country of an address from the bundled offline GeoLite2 country database. */
export function countryOf(ip: string): string | null {
  if (!isIP(ip)) return null;
  return geoip.lookup(ip)?.country ?? null;
}

/** The address with its host part zeroed (IPv4 /24, IPv6 /48): enough for abuse, not a person. */
export function truncateIp(ip: string): string | null {
  const version = isIP(ip);
  if (version === 4) return ip.split('.').slice(0, 3).concat('0').join('.');
  if (version === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    if (mapped?.[1]) return truncateIp(mapped[1]);
    return `${ip.split(':').slice(0, 3).join(':')}::`;
  }
  return null;
}

export function clientTraits(userAgent: string | undefined, ip: string): ClientTraits {
  return { ...parseUserAgent(userAgent), country: countryOf(ip) };
}

import { clientTraits, truncateIp } from '../enrich.ts';
import type { IngestApp, RequestFacts } from '../request.ts';
import { asksNotToBeTracked } from './do-not-track.ts';

// Step 9, enrich: what the request tells about its sender (browser, OS, device type and
// country from the User-Agent and address), and the address itself where the app keeps it
// (truncated to its network; the default policy discards it).

/** Step: the request's facts, read once per request; `receivedAt` is the arrival time every event is clamped to. */
export function requestFacts(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  ip: string,
  receivedAt: number,
): RequestFacts {
  const userAgent = headers['user-agent'];
  return {
    receivedAt,
    ip,
    traits: clientTraits(typeof userAgent === 'string' ? userAgent : undefined, ip),
    doNotTrack: asksNotToBeTracked(headers),
  };
}

/** Step: the address as the app's IP policy keeps it (`truncate`), or null (discarded). */
export function keptAddress(app: IngestApp, facts: RequestFacts): string | null {
  return app.ipPolicy === 'truncate' ? truncateIp(facts.ip) : null;
}

/** An event's data with the kept address as `$ip` (the same object when none is kept). */
export function withAddress(data: Record<string, unknown>, ip: string | null): Record<string, unknown> {
  return ip ? { ...data, $ip: ip } : data;
}

import { NextResponse } from 'next/server';
import { webEnv } from './server/env';
import { securityHeaders } from './server/security-headers';

// Every response of the portal, pages and assets alike, carries the security headers. They
// are set here rather than in next.config's headers() because connect-src names the
// self-monitoring endpoint, which is read at run time, not at build time.
export function proxy(): NextResponse {
  const response = NextResponse.next();
  for (const [name, value] of Object.entries(securityHeaders(webEnv().PORTAL_SIGHTLINE_ENDPOINT)))
    response.headers.set(name, value);
  return response;
}

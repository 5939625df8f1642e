/**
 * The portal's security headers. Next's App Router writes inline bootstrap scripts and
 * Tremor/Tailwind set inline styles; a per-request nonce would force every page (the static
 * sign-in pages too) to render per request, so scripts are 'self' plus inline, and everything
 * else is as tight as the portal allows: no other origin may frame it, receive its forms, be
 * its base URL, or be reached by it — except the api that self-monitoring reports to.
 */
export function securityHeaders(selfMonitoringEndpoint?: string): Record<string, string> {
  const connect = ["'self'", ...(selfMonitoringEndpoint ? [new URL(selfMonitoringEndpoint).origin] : [])];
  const policy = [
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'Content-Security-Policy': policy,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}

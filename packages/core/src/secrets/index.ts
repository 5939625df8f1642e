import { createHash, createHmac } from 'node:crypto';

// @sightline/core/secrets: every value the api and the portal each derive from
// SIGHTLINE_SECRET. Both sides must compute them byte for byte alike, so each derivation is
// written once, here. Only node:crypto: the portal's server code imports this too.

/**
 * The portal's next-auth secret. The portal seals its session cookie with it and the api
 * opens that cookie with it, so one SIGHTLINE_SECRET configures the whole installation.
 */
export function sessionSecret(installationSecret: string): string {
  return createHash('sha256').update(`sightline:portal-session:${installationSecret}`).digest('base64url');
}

/** The header in which the portal passes the browser's address to the api… */
export const CLIENT_ADDRESS_HEADER = 'x-sightline-client-ip';
/** …and the one holding its signature, so nobody else can claim an address. */
export const CLIENT_ADDRESS_SIGNATURE_HEADER = 'x-sightline-client-ip-signature';

/** The signature of a browser address the portal forwards; the api accepts the address only with it. */
export function clientAddressSignature(installationSecret: string, ip: string): string {
  return createHmac('sha256', installationSecret).update(`client-ip:${ip}`).digest('base64url');
}

/** The headers that carry a browser's address to the api, signed. */
export function clientAddressHeaders(installationSecret: string, ip: string): Record<string, string> {
  return {
    [CLIENT_ADDRESS_HEADER]: ip,
    [CLIENT_ADDRESS_SIGNATURE_HEADER]: clientAddressSignature(installationSecret, ip),
  };
}

// The version constant lives in the browser-safe contracts entry (the portal shows it);
// `@sightline/core/version` stays for the CLI and the container smoke test.
export { SIGHTLINE_VERSION } from './contracts/version.ts';

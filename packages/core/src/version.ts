// The version lives in the contracts, which browsers may load; this entry keeps
// `@sightline/core/version` working for the api's CLI and tests.
export { SIGHTLINE_VERSION } from './contracts/version.ts';

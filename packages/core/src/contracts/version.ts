/**
 * The one Sightline version: printed by `sightline --version`, shown in the portal footer,
 * reported by /readyz?detail=1. It equals the root package.json's `version` (version.test.ts);
 * CHANGELOG.md's newest entry names it. Here, in the contracts, because the portal's pages show it.
 */
export const SIGHTLINE_VERSION = '0.9.0';

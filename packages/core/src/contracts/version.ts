/**
 * The one Sightline version: printed by `sightline --version`, shown in the portal footer,
 * reported by /readyz?detail=1. It equals the root package.json's `version` (version.test.ts);
 * CHANGELOG.md's newest entry names it. It lives in the contracts entry because the portal
 * shows it in the browser.
 */
export const SIGHTLINE_VERSION = '0.9.0';

import semver from 'semver';

/**
 * Whether `version` is the same as or later than `reference`: by semver when both read as
 * one (`shop@2.4.1`, `v2.4`, `2.4.1-beta.2` are understood), else by the order the group
 * first saw them (`seen`, oldest first; a version never seen before is the newest).
 */
export function isAtOrAfter(version: string | null, reference: string | null, seen: readonly string[]): boolean {
  if (!reference) return true;
  if (!version) return false;
  const a = semver.coerce(version, { includePrerelease: true });
  const b = semver.coerce(reference, { includePrerelease: true });
  if (a && b) return semver.gte(a, b);
  const at = seen.indexOf(version);
  const ref = seen.indexOf(reference);
  if (at === -1) return true;
  if (ref === -1) return false;
  return at >= ref;
}

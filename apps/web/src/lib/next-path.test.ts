import { describe, expect, it } from 'vitest';
import { safeNextPath } from './next-path';

// What `?next=` holds after URLSearchParams decoded it once.
describe('safeNextPath', () => {
  it('keeps same-origin paths with their query and hash', () => {
    expect(safeNextPath('/orgs/acme/apps?range=7d#crashes')).toBe('/orgs/acme/apps?range=7d#crashes');
    expect(safeNextPath('/invitations/abc')).toBe('/invitations/abc');
  });

  it.each([
    ['missing', null],
    ['empty', ''],
    ['protocol-relative', '//evil.example'],
    ['backslash (the reported /%5Cevil.example)', '/\\evil.example'],
    ['backslashes', '/\\\\evil.example'],
    ['tab between slashes', '/\t/evil.example'],
    ['newline between slashes', '/\n/evil.example'],
    ['NUL', '/orgs\u0000'],
    ['DEL', '/orgs\u007f'],
    ['absolute https', 'https://evil.example/orgs'],
    ['javascript scheme', 'javascript:alert(1)'],
    ['relative', 'evil.example'],
    ['encoded slashes', '/%2F%2Fevil.example'],
    ['encoded backslash', '/%5Cevil.example'],
    ['encoded backslash, lower case', '/%5cevil.example'],
    ['broken escape', '/%E0%A4%A'],
  ])('sends %s to the org picker', (_, next) => {
    expect(safeNextPath(next)).toBe('/orgs');
  });
});

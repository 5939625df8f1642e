import { describe, expect, it } from 'vitest';
import { homeOf, rememberedOrg } from './last-org';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

describe('last organization', () => {
  it('reads the remembered org id from a cookie header, ignoring anything that is not an id', () => {
    expect(rememberedOrg(`theme=dark; sightline-last-org=${B}; other=1`)).toBe(B);
    expect(rememberedOrg('sightline-last-org=../../admin')).toBeNull();
    expect(rememberedOrg('')).toBeNull();
  });

  it('goes to the remembered org while the user still belongs to it, else the first, else the picker', () => {
    expect(homeOf([{ id: A }, { id: B }], B)).toBe(`/o/${B}`);
    expect(homeOf([{ id: A }], B)).toBe(`/o/${A}`);
    expect(homeOf([{ id: A }, { id: B }], null)).toBe(`/o/${A}`);
    expect(homeOf([], B)).toBe('/orgs');
  });
});

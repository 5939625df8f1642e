import { describe, expect, it } from 'vitest';
import { routePattern } from './index.ts';

describe('routePattern', () => {
  it('names dynamic segments, catch-alls and encoded values, and leaves static paths alone', () => {
    expect(routePattern('/shop/42', { id: '42' })).toBe('/shop/[id]');
    expect(routePattern('/docs/a/b/c', { slug: ['a', 'b', 'c'] })).toBe('/docs/[...slug]');
    expect(routePattern('/u/J%C3%BCrgen/posts/7', { name: 'Jürgen', post: '7' })).toBe('/u/[name]/posts/[post]');
    expect(routePattern('/about', {})).toBe('/about');
    expect(routePattern('/shop/42', null)).toBe('/shop/42');
    expect(routePattern('/orgs/7/apps/7', { org: '7', app: '7' })).toBe('/orgs/[org]/apps/[app]');
  });
});

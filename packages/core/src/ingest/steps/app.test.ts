import { describe, expect, it } from 'vitest';
import { appRefOf, resolveApp } from './app.ts';
import { app, principal } from './fixtures.ts';

describe('app step', () => {
  it('reads app_id only when it is a string or a number', () => {
    expect(appRefOf({ app_id: 7 })).toBe(7);
    expect(appRefOf({ app_id: '7' })).toBe('7');
    expect(appRefOf({ app_id: { id: 7 } })).toBeUndefined();
    expect(appRefOf(null)).toBeUndefined();
  });

  it('asks the directory for the app the principal and reference name', async () => {
    const asked: unknown[] = [];
    const directory = {
      resolve: (p: typeof principal, ref: string | number | undefined) => (
        asked.push([p.credentialId, ref]),
        Promise.resolve(app)
      ),
    };
    await expect(resolveApp(directory, principal, 7)).resolves.toBe(app);
    expect(asked).toEqual([['key-1', 7]]);
  });
});

import { describe, expect, it } from 'vitest';
import { app } from './fixtures.ts';
import { sample } from './sample.ts';

describe('sample step', () => {
  it('samples by the app rate but never drops crashes', () => {
    const half = { ...app, sampleRate: 0.5 };
    expect(sample('screen_view', half, () => 0.9).ok).toBe(false);
    expect(sample('screen_view', half, () => 0.1).ok).toBe(true);
    expect(sample('app_crash', { ...app, sampleRate: 0 }, () => 0.99).ok).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { asksNotToBeTracked, honoursDoNotTrack } from './do-not-track.ts';
import { app, facts } from './fixtures.ts';

describe('do-not-track step', () => {
  it('hears DNT and Global Privacy Control, and nothing else', () => {
    expect(asksNotToBeTracked({ dnt: '1' })).toBe(true);
    expect(asksNotToBeTracked({ 'sec-gpc': '1' })).toBe(true);
    expect(asksNotToBeTracked({ dnt: '0' })).toBe(false);
    expect(asksNotToBeTracked({})).toBe(false);
  });

  it('drops only when the app honours it and the browser asked', () => {
    const asking = { ...facts, doNotTrack: true };
    expect(honoursDoNotTrack({ ...app, respectDoNotTrack: true }, asking)).toBe(true);
    expect(honoursDoNotTrack(app, asking)).toBe(false);
    expect(honoursDoNotTrack({ ...app, respectDoNotTrack: true }, facts)).toBe(false);
  });
});

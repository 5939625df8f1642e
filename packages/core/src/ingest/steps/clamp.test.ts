import { describe, expect, it } from 'vitest';
import { clampClock } from './clamp.ts';
import { app, facts, now } from './fixtures.ts';

describe('clock step', () => {
  it('clamps future times to arrival and drops events older than raw retention', () => {
    expect(clampClock(now + 60_000, facts, app)).toEqual({ ok: true, value: now });
    expect(clampClock(now - 8 * 86_400_000, facts, app)).toEqual({ ok: false, reason: 'too_old' });
  });

  it('keeps the clock at the edges of the window: N days back is in, a millisecond more is out', () => {
    const day = 86_400_000;
    const kept = (occurredAt: number) => ({ ok: true, value: occurredAt });
    const tooOld = { ok: false, reason: 'too_old' };
    // Past edge of the 7-day raw window (the app's rawEventRetentionDays), then N−1 and N+1 days.
    expect(clampClock(now - 7 * day, facts, app)).toEqual(kept(now - 7 * day));
    expect(clampClock(now - 7 * day - 1, facts, app)).toEqual(tooOld);
    expect(clampClock(now - 6 * day, facts, app)).toEqual(kept(now - 6 * day));
    expect(clampClock(now - 8 * day, facts, app)).toEqual(tooOld);
    // The window is the app's own: a 30-day app keeps what a 7-day app drops.
    const month = { ...app, rawEventRetentionDays: 30 };
    expect(clampClock(now - 8 * day, facts, month)).toEqual(kept(now - 8 * day));
    expect(clampClock(now - 30 * day, facts, month)).toEqual(kept(now - 30 * day));
    expect(clampClock(now - 30 * day - 1, facts, month)).toEqual(tooOld);
    // Future edge: arrival time itself is kept as sent; a millisecond later becomes arrival time.
    expect(clampClock(now, facts, app)).toEqual(kept(now));
    expect(clampClock(now - 1, facts, app)).toEqual(kept(now - 1));
    expect(clampClock(now + 1, facts, app)).toEqual(kept(now));
    expect(clampClock(now + day, facts, app)).toEqual(kept(now));
  });
});

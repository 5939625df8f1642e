import { describe, expect, it } from 'vitest';
import { normalizeEvents, runEventsPipeline } from './events.ts';
import { fakeDeps, requestOf } from './testing.ts';
import { app, facts, now } from '../steps/fixtures.ts';

describe('the events pipeline’s per-event steps', () => {
  it('keeps the good events of a batch and says which ones were bad and why', () => {
    const batch = {
      device_id: 'dev',
      events: [
        { type: 'app_start', timestamp: now },
        { type: 'screen_view', timestamp: now },
        { type: 'x', timestamp: now, data: { deep: JSON.parse('['.repeat(30) + ']'.repeat(30)) as unknown } },
      ],
    };
    const out = normalizeEvents(batch, app, facts);
    expect(out.events).toHaveLength(1);
    expect(out.events[0]?.[13]).toBe('DE');
    expect(out.errors.map((e) => e.index)).toEqual([1, 2]);
    expect(out.errors[1]?.issues[0]?.message).toMatch(/nested deeper/);
  });
});

describe('runEventsPipeline', () => {
  it('answers what was received and dropped, and counts both', async () => {
    const { deps, counted, appended } = fakeDeps();
    const reply = await runEventsPipeline(
      deps,
      requestOf({
        device_id: 'dev',
        events: [
          { type: 'app_start', timestamp: Date.now() },
          { type: 'app_start', timestamp: 0 },
        ],
      }),
    );
    expect(reply).toEqual({ received: 1, dropped: { too_old: 1 } });
    expect(counted).toEqual([
      ['dropped', { reason: 'too_old' }, 1],
      ['accepted', { kind: 'event' }, 1],
    ]);
    expect(appended).toHaveLength(1);
  });

  it('refuses a batch with no valid event, and one the buffer refuses, counting the refusal', async () => {
    const bad = fakeDeps();
    await expect(
      runEventsPipeline(bad.deps, requestOf({ device_id: 'dev', events: [{ type: 'app_start' }] })),
    ).rejects.toThrow(/^no valid events: events\.0\.timestamp/);
    expect(bad.appended).toEqual([]);
    const full = fakeDeps({ status: 'buffer_full' });
    await expect(
      runEventsPipeline(
        full.deps,
        requestOf({ device_id: 'dev', events: [{ type: 'app_start', timestamp: Date.now() }] }),
      ),
    ).rejects.toThrow(/buffer is at its size limit/);
    expect(full.counted).toEqual([['dropped', { reason: 'buffer_full' }, 1]]);
  });

  it('stores nothing from a browser that asks not to be tracked, when the app honours it', async () => {
    const { deps, appended } = fakeDeps();
    deps.directory = { resolve: () => Promise.resolve({ ...app, respectDoNotTrack: true }) };
    const reply = await runEventsPipeline(
      deps,
      requestOf({ device_id: 'dev', events: [{ type: 'app_start', timestamp: Date.now() }] }, { dnt: '1' }),
    );
    expect(reply).toEqual({ received: 0, dropped: { do_not_track: 1 } });
    expect(appended).toEqual([]);
  });
});

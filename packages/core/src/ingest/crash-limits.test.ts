import { describe, expect, it } from 'vitest';
import { buildCrashRecord } from './crash.ts';
import { MAX_BREADCRUMB_BYTES, MAX_BREADCRUMBS, MAX_CRASH_CONTEXT_BYTES, TRUNCATED_SUFFIX } from './crash-limits.ts';
import type { IngestApp, RequestFacts } from './request.ts';
import { crashInput } from './schemas.ts';
import { sentryEventToCrash } from './sentry/event.ts';
import { app as testApp } from './steps/fixtures.ts';

// The shared test app, with no fields of its own to scrub.
const app: IngestApp = { ...testApp, scrubFields: [] };
const facts: RequestFacts = {
  receivedAt: Date.UTC(2026, 11, 1),
  ip: '203.0.113.50',
  traits: { browser: null, os: null, osVersion: null, deviceType: null, country: null },
};

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

/** A crash through the same steps as `POST /v1/telemetry/crash`: schema, then the stored record. */
function record(crash: Record<string, unknown>) {
  const input = crashInput.parse({ device_id: 'd1', crash: { type: 'TypeError', ...crash } });
  return buildCrashRecord(input, app, facts, 'device-hash');
}

interface TruncationNote {
  context?: { original_bytes: number; kept_bytes: number; limit_bytes: number };
  breadcrumbs?: { original_count: number; kept_count: number; cut_count: number };
}
const noteOf = (context: unknown): TruncationNote | undefined =>
  (context as { _truncated?: TruncationNote })._truncated;

describe('crash report size limits', () => {
  it('cuts an oversized context to 64 KB, sharing the room so small parts survive, and says so', () => {
    const small = { screen: 'checkout', cart: { items: 3, total: 42.5 }, flags: ['a', 'b'] };
    expect(record({ context: small }).context).toEqual(small);
    const context = {
      device: { model: 'Pixel 8', memory_mb: 8192 },
      extra: { dump: 'x'.repeat(300_000), rows: Array.from({ length: 5000 }, (_, i) => ({ i, v: 'y'.repeat(20) })) },
      request: { url: 'https://shop.example/checkout', body: 'z'.repeat(200_000) },
    };
    const stored = record({ context });
    const kept = stored.context as typeof context;
    expect(bytes(stored.context)).toBeLessThanOrEqual(MAX_CRASH_CONTEXT_BYTES);
    // Both big parts got a fair share instead of the first eating all of it.
    expect(kept.device).toEqual(context.device);
    expect(kept.request.url).toBe(context.request.url);
    expect(kept.request.body.endsWith(TRUNCATED_SUFFIX)).toBe(true);
    expect(bytes(kept.extra)).toBeGreaterThan(10_000);
    expect(bytes(kept.request)).toBeGreaterThan(10_000);
    const note = noteOf(stored.context)!;
    expect(note.context!.original_bytes).toBe(bytes(context));
    expect(note.context!.limit_bytes).toBe(MAX_CRASH_CONTEXT_BYTES);
    expect(note.context!.kept_bytes).toBeLessThan(MAX_CRASH_CONTEXT_BYTES);
  });

  it('keeps the newest 100 breadcrumbs, each cut to 4 KB with its own marker, and counts what was left', () => {
    const breadcrumbs = Array.from({ length: 250 }, (_, i) => ({
      message: `step ${i}`,
      data: i === 249 ? { html: '<p>'.repeat(5000) } : { n: i },
    }));
    const stored = record({ breadcrumbs });
    const kept = stored.breadcrumbs as Array<{ message: string; data: unknown; _truncated?: unknown }>;
    expect(kept).toHaveLength(MAX_BREADCRUMBS);
    expect(kept[0]!.message).toBe('step 150');
    expect(kept.at(-1)!.message).toBe('step 249');
    for (const crumb of kept) expect(bytes(crumb)).toBeLessThanOrEqual(MAX_BREADCRUMB_BYTES);
    expect(kept.at(-1)!._truncated).toMatchObject({ original_bytes: bytes(breadcrumbs[249]) });
    expect(kept.at(-2)).toEqual(breadcrumbs[248]);
    expect(noteOf(stored.context)!.breadcrumbs).toMatchObject({ original_count: 250, kept_count: 100, cut_count: 1 });
  });

  it('cuts before scrubbing, so the scrubber only sees what is kept', () => {
    // Scrubbing costs in proportion to size (and its email pattern once backtracked on "aaa…a@").
    const hostile = 'a'.repeat(80_000) + '@';
    const stored = record({ context: { note: hostile }, breadcrumbs: [hostile] });
    const note = (stored.context as { note: string }).note;
    expect(note.endsWith(TRUNCATED_SUFFIX)).toBe(true);
    expect(note).not.toContain('@');
    expect(bytes(stored.context)).toBeLessThanOrEqual(MAX_CRASH_CONTEXT_BYTES);
    expect(bytes(stored.breadcrumbs)).toBeLessThanOrEqual(MAX_BREADCRUMB_BYTES + 2);
  });

  it('caps a Sentry event the same way: contexts, extra and request share the context, breadcrumbs the newest 100', () => {
    const crash = sentryEventToCrash(
      {
        event_id: 'ab'.repeat(16),
        exception: { values: [{ type: 'Error', value: 'boom' }] },
        contexts: { os: { name: 'Android', version: '14' }, app: { state: 's'.repeat(100_000) } },
        extra: { blob: 'e'.repeat(500_000) },
        breadcrumbs: { values: Array.from({ length: 300 }, (_, i) => ({ message: `crumb ${i}` })) },
      },
      { deviceKey: 'user-1' },
    );
    const stored = buildCrashRecord(crashInput.parse(crash), app, facts, 'device-hash');
    const context = stored.context as { contexts: { os: unknown }; extra: { blob: string } };
    expect(bytes(stored.context)).toBeLessThanOrEqual(MAX_CRASH_CONTEXT_BYTES);
    expect(context.contexts.os).toEqual({ name: 'Android', version: '14' });
    expect(context.extra.blob.endsWith(TRUNCATED_SUFFIX)).toBe(true);
    expect(stored.breadcrumbs).toHaveLength(MAX_BREADCRUMBS);
    expect(noteOf(stored.context)).toMatchObject({
      context: { limit_bytes: MAX_CRASH_CONTEXT_BYTES },
      breadcrumbs: { original_count: 300, kept_count: 100 },
    });
  });

  it('cuts deep nesting inside an oversized part instead of refusing the report', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 200; i++) deep = { level: i, next: deep, pad: 'p'.repeat(500) };
    const stored = record({ context: { deep } });
    expect(bytes(stored.context)).toBeLessThanOrEqual(MAX_CRASH_CONTEXT_BYTES);
    expect(JSON.stringify(stored.context)).toContain('nested too deep');
  });
});

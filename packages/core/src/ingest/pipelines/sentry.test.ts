import { describe, expect, it } from 'vitest';
import type { AppendOutcome } from '../buffer.ts';
import { runSentryPipeline, sentryRateLimits, type SentryRequest } from './sentry.ts';
import { credential, fakeDeps } from './testing.ts';

const now = Date.now() / 1000;
const envelope = (...items: Array<[Record<string, unknown>, Record<string, unknown>]>) =>
  Buffer.from(
    [
      JSON.stringify({ event_id: 'e'.repeat(32), dsn: 'http://pk_x@localhost/7' }),
      ...items.flatMap(([h, p]) => [JSON.stringify(h), JSON.stringify(p)]),
    ].join('\n'),
  );

function requestOf(body: Buffer, headers: Record<string, string> = {}) {
  const rateLimits: string[] = [];
  const request: SentryRequest = {
    kind: 'envelope',
    projectId: '7',
    body,
    headers,
    ip: '203.0.113.50',
    credential,
    keyOutsideBody: undefined,
    onRateLimits: (value) => void rateLimits.push(value),
  };
  return { request, rateLimits };
}

describe('runSentryPipeline', () => {
  it('turns an error into a crash report and a session into events, in one append', async () => {
    const { deps, counted, appended } = fakeDeps();
    const { request } = requestOf(
      envelope(
        [{ type: 'event' }, { event_id: 'a'.repeat(32), timestamp: now, exception: { values: [{ type: 'E' }] } }],
        [{ type: 'session' }, { sid: 's1', init: true, started: now, status: 'exited', did: 'u1' }],
        [{ type: 'profile' }, {}],
      ),
    );
    expect(await runSentryPipeline(deps, request)).toEqual({ id: 'e'.repeat(32) });
    expect(appended).toHaveLength(1);
    expect(appended[0]).toMatchObject({ crashes: [{ crashType: 'E', source: 'sentry' }] });
    expect(counted).toContainEqual(['sentryItems', { type: 'other', outcome: 'skipped' }, undefined]);
    expect(counted).toContainEqual(['accepted', { kind: 'crash' }, 1]);
    expect(counted).toContainEqual(['accepted', { kind: 'event' }, 2]);
  });

  it('refuses an unknown project id and an envelope with nothing usable', async () => {
    const { deps } = fakeDeps();
    await expect(runSentryPipeline(deps, { ...requestOf(envelope()).request, projectId: 'abc' })).rejects.toThrow(
      /project abc not found/,
    );
    const broken = requestOf(envelope([{ type: 'session' }, { init: true }])).request;
    await expect(runSentryPipeline(deps, broken)).rejects.toThrow(
      'nothing usable in the envelope: items.0 invalid envelope: a session item has no sid',
    );
  });

  it('tells the SDK which categories to hold back, before refusing', async () => {
    const limited: AppendOutcome = { status: 'rate_limited', subject: 'key:k', retryAfter: 9 };
    const { deps } = fakeDeps(limited);
    const { request, rateLimits } = requestOf(envelope([{ type: 'event' }, { message: 'hello' }]));
    await expect(runSentryPipeline(deps, request)).rejects.toThrow(/rate limit reached for this key/);
    expect(rateLimits).toEqual(['9::key']);
    expect(sentryRateLimits({ status: 'stored', entryId: '1-0', eventsRefused: 'over_quota' })).toBe(
      '3600:session;transaction:organization:usage_exceeded',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { isHandled } from '../crash.ts';
import {
  crashIdFor,
  parseEnvelope,
  sentryEventToCrash,
  sentryKeyFromAuthHeader,
  sentryKeyFromDsn,
  sentrySessionAggregatesToEvents,
  sentrySessionToEvents,
  sentryTime,
  sentryTransactionToEvents,
} from './index.ts';

const origin = { appId: 1, index: 0, sentAt: '2026-11-22T10:00:01.000Z' };
const idsOf = (events: Array<{ event: Record<string, unknown> }>) => events.map((e) => e.event.id);

describe('parseEnvelope', () => {
  it('reads items up to the newline, or exactly `length` bytes even when they hold newlines', () => {
    const binary = 'line one\nline two';
    const body = Buffer.from(
      `{"event_id":"abc","dsn":"http://pk_x@h/1"}\n{"type":"attachment","length":${binary.length}}\n${binary}\n{"type":"event"}\n{"a":1}\n`,
    );
    const envelope = parseEnvelope(body);
    expect(envelope.headers).toEqual({ event_id: 'abc', dsn: 'http://pk_x@h/1' });
    expect(envelope.items.map((i) => [i.type, i.payload.toString()])).toEqual([
      ['attachment', binary],
      ['event', '{"a":1}'],
    ]);
  });

  it('counts `length` in UTF-8 bytes, not characters, for multi-byte payloads', () => {
    // 2-, 3- and 4-byte characters and a newline inside the counted payload.
    const text = '{"message":"héllo\nwörld → 🚀"}';
    const bytes = Buffer.byteLength(text);
    expect([text.length, bytes]).toEqual([30, 36]);
    const after = '{"type":"event"}\n{"b":"ü"}\n';
    const envelope = parseEnvelope(
      Buffer.from(`{"event_id":"abc"}\n{"type":"attachment","length":${bytes}}\n${text}\n${after}`),
    );
    expect(envelope.items.map((i) => [i.type, i.payload.toString('utf8')])).toEqual([
      ['attachment', text],
      ['event', '{"b":"ü"}'],
    ]);
    // A sender that counted characters cuts the payload short: the rest is not taken as a header.
    expect(() =>
      parseEnvelope(
        Buffer.from(`{"event_id":"abc"}\n{"type":"attachment","length":${text.length}}\n${text}\n${after}`),
      ),
    ).toThrow("item 2's header is not JSON");
  });

  it('names what is wrong', () => {
    expect(() => parseEnvelope(Buffer.from(''))).toThrow(/envelope header/);
    expect(() => parseEnvelope(Buffer.from('{}\n{"length":2}\nab'))).toThrow(/has no type/);
    expect(() => parseEnvelope(Buffer.from('{}\n{"type":"event","length":-1}\n'))).toThrow(/length/);
    expect(() => parseEnvelope(Buffer.from(`{}\n${'{"type":"x"}\n{}\n'.repeat(101)}`))).toThrow(/more than 100 items/);
  });
});

describe('Sentry credentials and ids', () => {
  it('finds the key in X-Sentry-Auth and in a DSN', () => {
    expect(sentryKeyFromAuthHeader('Sentry sentry_version=7, sentry_client=x/1, sentry_key=pk_abc')).toBe('pk_abc');
    expect(sentryKeyFromAuthHeader('Sentry sentry_version=7')).toBeUndefined();
    expect(sentryKeyFromDsn('https://pk_abc@api.example:4000/42')).toEqual({ key: 'pk_abc', projectId: '42' });
    expect(sentryKeyFromDsn('not a url')).toBeUndefined();
  });

  it('derives one crash id per app and event id', () => {
    const id = crashIdFor(1, 'aa'.repeat(16));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(crashIdFor(1, 'aa'.repeat(16))).toBe(id);
    expect(crashIdFor(2, 'aa'.repeat(16))).not.toBe(id);
  });

  it('reads epoch seconds and RFC 3339 times', () => {
    expect(sentryTime(1_700_000_000.5)).toBe(1_700_000_000_500);
    expect(sentryTime('2026-01-02T03:04:05.678Z')).toBe(Date.parse('2026-01-02T03:04:05.678Z'));
    expect(sentryTime('yesterday')).toBeUndefined();
  });
});

describe('sentryEventToCrash', () => {
  it('keeps the outermost exception as the crash, its causes in the stack, and a message event as a message', () => {
    const crash = sentryEventToCrash(
      {
        level: 'constructor',
        exception: {
          values: [
            {
              type: 'IOError',
              value: 'disk full',
              stacktrace: { frames: [{ function: 'write', filename: 'io.py', lineno: 3 }] },
            },
            {
              type: 'SaveError',
              value: 'could not save',
              stacktrace: { frames: [{ function: 'save', filename: 'app.py', lineno: 9 }] },
            },
          ],
        },
        tags: [
          ['a', 'b'],
          ['n', 1],
        ],
      },
      { deviceKey: 'd' },
    );
    expect(crash.crash).toMatchObject({
      type: 'SaveError',
      message: 'could not save',
      level: 'error',
      tags: { a: 'b', n: '1' },
    });
    expect(crash.crash.stack_trace).toBe(
      'SaveError: could not save\n    at save (app.py:9)\nCaused by: IOError: disk full\n    at write (io.py:3)',
    );
    const message = sentryEventToCrash({ level: 'warning', logentry: { formatted: 'low memory' } }, { deviceKey: 'd' });
    expect(message.crash).toMatchObject({ type: 'Message', message: 'low memory', level: 'warning' });
  });
});

describe('sentrySessionAggregatesToEvents', () => {
  it('turns per-minute counts into one counted event per status', () => {
    const events = sentrySessionAggregatesToEvents(
      {
        attrs: { release: 'api@3' },
        aggregates: [{ started: '2026-11-22T10:00:00Z', exited: 120, crashed: 2 }],
      },
      origin,
    );
    expect(events.map((e) => [e.release, e.event.type, e.event.name, e.event.value])).toEqual([
      ['api@3', 'session_aggregate', 'exited', 120],
      ['api@3', 'session_aggregate', 'crashed', 2],
    ]);
  });
});

describe('ids of events derived from Sentry items', () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const tx = (extra: Record<string, unknown> = {}) => ({
    event_id: 'bb'.repeat(16),
    transaction: '/checkout',
    start_timestamp: 1_700_000_000,
    timestamp: 1_700_000_001.5,
    contexts: { trace: { trace_id: 'cc'.repeat(16), span_id: 'dd'.repeat(8) } },
    measurements: { lcp: { value: 2400 }, LCP: { value: 1 }, cls: { value: 0.02 } },
    ...extra,
  });

  it('gives a resent transaction and its vitals the same ids, distinct per app, event and vital', () => {
    const ids = idsOf(sentryTransactionToEvents(tx(), origin));
    expect(ids).toHaveLength(3); // the transaction, LCP once, CLS
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(3);
    // The envelope around it may differ (another place, another sent_at): it is the same transaction.
    expect(idsOf(sentryTransactionToEvents(tx(), { appId: 1, index: 4, sentAt: 'later' }))).toEqual(ids);
    expect(idsOf(sentryTransactionToEvents(tx(), { ...origin, appId: 2 }))).not.toContain(ids[0]);
    expect(idsOf(sentryTransactionToEvents(tx({ event_id: 'ee'.repeat(16) }), origin))).not.toContain(ids[0]);
  });

  it('falls back to the trace and span ids, and without them to random ids', () => {
    const traced = () => idsOf(sentryTransactionToEvents(tx({ event_id: undefined }), origin));
    expect(traced()).toEqual(traced());
    expect(traced()[0]).not.toBe(idsOf(sentryTransactionToEvents(tx(), origin))[0]);
    const bare = () => idsOf(sentryTransactionToEvents(tx({ event_id: undefined, contexts: {} }), origin))[0];
    expect(bare()).toMatch(UUID);
    expect(bare()).not.toBe(bare());
  });

  it('keeps distinct session updates apart and a resent one together', () => {
    const update = (extra: Record<string, unknown>) =>
      sentrySessionToEvents(
        { sid: 's-1', started: '2026-11-22T10:00:00Z', timestamp: '2026-11-22T10:00:00Z', status: 'ok', ...extra },
        origin,
      );
    const first = update({ init: true, seq: 1 });
    expect(first.map((e) => e.event.type)).toEqual(['session_start']);
    expect(idsOf(update({ init: true, seq: 1 }))).toEqual(idsOf(first));
    const crashed = update({ seq: 2, timestamp: '2026-11-22T10:01:00Z', status: 'crashed', errors: 1 });
    expect(crashed.map((e) => e.event.type)).toEqual(['session_end']);
    // A start and an end in one update, or the same end told by another update, are distinct events.
    const both = idsOf(update({ init: true, seq: 3, status: 'crashed' }));
    const again = idsOf(update({ seq: 4, timestamp: '2026-11-22T10:01:00Z', status: 'crashed', errors: 1 }));
    const all = [...idsOf(first), ...idsOf(crashed), ...both, ...again];
    expect(new Set(all).size).toBe(all.length);
    expect(
      idsOf(
        sentrySessionToEvents(
          {
            sid: 's-1',
            init: true,
            seq: 1,
            started: '2026-11-22T10:00:00Z',
            timestamp: '2026-11-22T10:00:00Z',
            status: 'ok',
          },
          { ...origin, appId: 2 },
        ),
      ),
    ).not.toEqual(idsOf(first));
  });

  it('gives a resent aggregate the same ids, and another envelope or bucket other ids', () => {
    const item = (exited: number) => ({
      attrs: { release: 'api@3' },
      aggregates: [
        { started: '2026-11-22T10:00:00Z', exited },
        { started: '2026-11-22T10:01:00Z', exited },
      ],
    });
    const ids = idsOf(sentrySessionAggregatesToEvents(item(5), origin));
    expect(new Set(ids).size).toBe(2);
    expect(idsOf(sentrySessionAggregatesToEvents(item(5), origin))).toEqual(ids);
    const others = [
      ...idsOf(sentrySessionAggregatesToEvents(item(5), { ...origin, sentAt: '2026-11-22T10:02:01.000Z' })),
      ...idsOf(sentrySessionAggregatesToEvents(item(5), { ...origin, index: 1 })),
      ...idsOf(sentrySessionAggregatesToEvents(item(6), origin)),
    ];
    for (const id of others) expect(ids).not.toContain(id);
  });
});

describe('Sentry events: crash or handled error', () => {
  const exception = (mechanism?: Record<string, unknown>) => ({
    exception: { values: [{ type: 'TypeError', value: 'x is undefined', ...(mechanism ? { mechanism } : {}) }] },
  });
  const handledOf = (event: Record<string, unknown>) => isHandled(sentryEventToCrash(event, { deviceKey: 'd' }).crash);

  it('counts an exception its SDK caught in a global handler (mechanism.handled false) as a crash', () => {
    expect(handledOf({ level: 'error', ...exception({ type: 'onerror', handled: false }) })).toBe(false);
    expect(handledOf({ level: 'error', ...exception({ type: 'onunhandledrejection', handled: false }) })).toBe(false);
    // A chained error counts when any of its exceptions was unhandled (Sentry's rule).
    expect(
      handledOf({
        level: 'error',
        exception: {
          values: [
            { type: 'IOError', value: 'disk full', mechanism: { type: 'chained', handled: false } },
            { type: 'SaveError', value: 'could not save', mechanism: { type: 'generic', handled: true } },
          ],
        },
      }),
    ).toBe(false);
  });

  it('keeps captureException (handled true, or no mechanism) and messages as handled errors', () => {
    expect(handledOf({ level: 'error', ...exception({ type: 'generic', handled: true }) })).toBe(true);
    expect(handledOf({ level: 'error', ...exception() })).toBe(true);
    expect(handledOf({ level: 'warning', logentry: { formatted: 'low memory' } })).toBe(true);
  });

  it('counts a fatal event as a crash whatever its mechanism says', () => {
    expect(handledOf({ level: 'fatal', ...exception({ type: 'generic', handled: true }) })).toBe(false);
    expect(handledOf({ ...exception({ type: 'onerror', handled: false }) })).toBe(false); // level defaults to fatal
  });
});

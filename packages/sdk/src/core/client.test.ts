import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SightlineClient, type Platform, type SightlineOptions } from './client.ts';
import { FILTERED } from './scrub.ts';

// The core client on a fake platform: a manual clock and timers, a scripted server, an
// in-memory store. Each test checks what would reach the server.

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: {
    events?: Array<{ type: string; session_id: string; data: Record<string, unknown> }>;
    crash?: unknown;
  } & Record<string, unknown>;
}

function fake() {
  let now = Date.UTC(2026, 10, 29, 12);
  let seq = 0;
  let random = 0.5;
  let timers: Array<{ at: number; run: () => void }> = [];
  const sent: Sent[] = [];
  const data = new Map<string, string>();
  let respond: (
    req: Sent,
  ) => { status: number; headers?: Record<string, string>; body?: unknown } | 'offline' = () => ({ status: 202 });
  const platform: Platform = {
    fetch(url, init) {
      const body = (init.body === undefined ? {} : JSON.parse(init.body as string)) as Sent['body'];
      const req = { url, method: init.method, headers: init.headers, body };
      let answer: ReturnType<typeof respond>;
      try {
        answer = respond(req);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      if (answer === 'offline') return Promise.reject(new TypeError('fetch failed'));
      sent.push(req);
      const { status, headers, body: answerBody = {} } = answer;
      return Promise.resolve({
        status,
        headers: { get: (name: string) => headers?.[name.toLowerCase()] ?? null },
        json: () => Promise.resolve(answerBody),
      });
    },
    now: () => now,
    random: () => random,
    uuid: () => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`,
    sha256Hex: (text) => Promise.resolve(createHash('sha256').update(text).digest('hex')),
    setTimeout(run, ms) {
      const timer = { at: now + ms, run };
      timers.push(timer);
      return timer;
    },
    clearTimeout(handle) {
      timers = timers.filter((t) => t !== handle);
    },
    store: { get: (k) => data.get(k) ?? null, set: (k, v) => void data.set(k, v) },
  };
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return {
    platform,
    sent,
    data,
    respond: (fn: typeof respond) => (respond = fn),
    setRandom: (r: number) => (random = r),
    /** Moves the clock, running due timers in order. */
    async advance(ms: number) {
      const until = now + ms;
      for (;;) {
        await settle();
        const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.run();
      }
      now = until;
      await settle();
    },
    pendingTimers: () => timers.map((t) => t.at - now).sort((a, b) => a - b),
  };
}

const options = (extra: Partial<SightlineOptions> = {}): SightlineOptions => ({
  key: 'pk_test',
  endpoint: 'https://telemetry.example.test/',
  appVersion: '1.2.3',
  ...extra,
});

const types = (s: Sent) => s.body.events?.map((e) => e.type);

describe('batching', () => {
  it('sends a batch when batchSize events are queued, and the rest on the flush interval', async () => {
    const f = fake();
    const client = new SightlineClient(options({ batchSize: 3, flushInterval: 60_000 }), f.platform);
    await client.ready;
    const use = (...names: string[]) => names.forEach((n) => client.track('feature_used', { feature_name: n }));
    use('a', 'b'); // with the session start: a full batch
    await f.advance(0);
    use('c', 'd', 'e');
    await f.advance(0);
    use('f');
    await f.advance(0);
    expect(f.sent.map(types)).toEqual([
      ['session_start', 'feature_used', 'feature_used'],
      ['feature_used', 'feature_used', 'feature_used'],
    ]);
    expect(f.sent[0]!.url).toBe('https://telemetry.example.test/v1/telemetry/events');
    expect(f.sent[0]!.headers.authorization).toBe('Bearer pk_test');
    expect(f.sent[0]!.body).toMatchObject({
      app_version: '1.2.3',
      device_id: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
    });
    await f.advance(59_000);
    expect(f.sent).toHaveLength(2);
    await f.advance(1_000);
    expect(f.sent.map(types)[2]).toEqual(['feature_used']);
  });
});

describe('retries', () => {
  it("waits at least the server's Retry-After on 429 and 503, then sends the same batch", async () => {
    const f = fake();
    let calls = 0;
    f.respond(() => (++calls === 1 ? { status: 429, headers: { 'retry-after': '30' } } : { status: 202 }));
    const client = new SightlineClient(options(), f.platform);
    await client.ready;
    client.track('screen_view', { screen_name: 'home' });
    await client.flush();
    expect(f.sent).toHaveLength(1);
    expect(client.queue.size).toBe(2);
    await f.advance(29_000);
    expect(f.sent).toHaveLength(1);
    await f.advance(1_000);
    expect(f.sent).toHaveLength(2);
    expect(f.sent[1]!.body.events).toEqual(f.sent[0]!.body.events); // same ids: the server deduplicates
    expect(client.queue.size).toBe(0);
  });

  it('backs off exponentially with jitter while the network is down, and loses nothing', async () => {
    const f = fake();
    f.respond(() => 'offline');
    const client = new SightlineClient(options({ retry: { baseMs: 1000, maxMs: 8000 } }), f.platform);
    await client.ready;
    client.track('app_start');
    f.setRandom(1); // the top of each jitter range
    await client.flush();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      delays.push(f.pendingTimers()[0]!);
      await f.advance(f.pendingTimers()[0]!);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000]);
    f.respond(() => ({ status: 202 }));
    await f.advance(f.pendingTimers()[0]!);
    expect(f.sent.map(types)).toEqual([['session_start', 'app_start']]);
  });

  it('drops a batch the server refuses for good (4xx), counts it, and does not retry', async () => {
    const f = fake();
    f.respond(() => ({ status: 400 }));
    const client = new SightlineClient(options({ flushInterval: 600_000 }), f.platform);
    await client.ready;
    client.track('app_start');
    await client.flush();
    expect(client.rejected).toBe(1);
    expect(client.queue.size).toBe(0);
    expect(f.pendingTimers()).toEqual([600_000]); // only the regular flush
  });
});

describe('sampling and sessions', () => {
  it('decides per session, keeps crash reports of unsampled sessions, and rolls over after 30 idle minutes', async () => {
    const f = fake();
    const client = new SightlineClient(options({ sampleRate: 0.5 }), f.platform);
    await client.ready;
    f.setRandom(0.7); // this session is out
    client.track('screen_view', { screen_name: 'a' });
    client.captureError(new TypeError('boom'));
    await client.flush();
    expect(f.sent.map((s) => s.url.endsWith('/crash'))).toEqual([true]);
    f.setRandom(0.2);
    await f.advance(29 * 60_000);
    client.track('screen_view', { screen_name: 'b' }); // same session: still out
    await f.advance(30 * 60_000 + 1);
    client.track('screen_view', { screen_name: 'c' }); // idle > 30 min: a new, sampled session
    await client.flush();
    const events = f.sent.flatMap((s) => s.body.events ?? []);
    expect(events.map((e) => e.type)).toEqual(['session_start', 'screen_view']);
    expect(events[1]!.data).toEqual({ screen_name: 'c' });
    expect(events[0]!.session_id).toBe(events[1]!.session_id);
    expect(events[0]!.session_id).not.toBe((f.sent[0]!.body as { session_id: string }).session_id);
  });
});

describe('privacy', () => {
  it('scrubs emails, card numbers, tokens and excluded fields before anything is sent', async () => {
    const f = fake();
    const client = new SightlineClient(options({ excludeFields: ['customerRef'] }), f.platform);
    await client.ready;
    client.track('checkout', {
      note: 'mail ada@example.com, card 4111 1111 1111 1111, order 1234 5678',
      password: 'hunter2',
      customerRef: 'C-991',
      nested: { auth: 'Bearer abcdefghijklmnop' },
    });
    client.captureError(new Error('user bob@example.org not found'));
    await client.flush();
    const crash = f.sent[0]!.body.crash as { message: string };
    expect(crash.message).toBe(`user ${FILTERED} not found`);
    expect(f.sent[1]!.body.events![1]!.data).toEqual({
      note: `mail ${FILTERED}, card ${FILTERED}, order 1234 5678`,
      password: FILTERED,
      customerRef: FILTERED,
      nested: { auth: FILTERED },
    });
  });

  it('sends nothing after optOut, forgets the queue, and stays opted out after a restart', async () => {
    const f = fake();
    f.respond(() => 'offline');
    const client = new SightlineClient(options(), f.platform);
    await client.ready;
    client.track('app_start');
    client.optOut();
    client.track('app_stop');
    client.captureError(new Error('x'));
    expect(client.queue.size).toBe(0);
    f.respond(() => ({ status: 202 }));
    const again = new SightlineClient(options(), f.platform);
    await again.ready;
    again.track('app_start');
    await again.flush();
    expect(again.isOptedOut).toBe(true);
    expect(f.sent).toEqual([]);
  });

  it('honours Do-Not-Track when asked to, for usage events only', async () => {
    const f = fake();
    const client = new SightlineClient(options({ privacy: { respectDoNotTrack: true } }), {
      ...f.platform,
      doNotTrack: () => true,
    });
    await client.ready;
    client.track('page_view', { path: '/' });
    client.captureError(new Error('still reported'));
    await client.flush();
    expect(f.sent.map((s) => s.url.split('/').pop())).toEqual(['crash']);
  });
});

describe('offline queue', () => {
  it('keeps the newest maxQueueSize events, counts the dropped ones, and sends them after a restart', async () => {
    const f = fake();
    f.respond(() => 'offline');
    const client = new SightlineClient(options({ maxQueueSize: 5 }), f.platform);
    await client.ready;
    for (let i = 0; i < 8; i++) client.track('feature_used', { feature_name: `f${i}` });
    expect(client.queue.size).toBe(5);
    expect(client.queue.dropped).toBe(4); // eight events and the session start, five kept
    await f.advance(0); // the queue is written to storage once per tick
    // The page closes while offline; it opens again online.
    f.respond(() => ({ status: 202 }));
    const reopened = new SightlineClient(options({ maxQueueSize: 5 }), f.platform);
    await reopened.flush();
    const names = f.sent.flatMap((s) => s.body.events ?? []).map((e) => e.data.feature_name);
    expect(names).toEqual(['f3', 'f4', 'f5', 'f6', 'f7']);
    expect(new Set(f.sent.map((s) => s.body.device_id)).size).toBe(1); // the same install
  });
});

describe('the host app', () => {
  it('never sees an exception from the SDK', async () => {
    const f = fake();
    const client = new SightlineClient(
      options({
        beforeSend: () => {
          throw new Error('bad hook');
        },
      }),
      f.platform,
    );
    await client.ready;
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => client.track('x', circular)).not.toThrow();
    expect(() => client.captureError({ weird: true })).not.toThrow();
    expect(() => client.captureError(undefined)).not.toThrow();
    await expect(client.flush()).resolves.toBeUndefined();
    f.respond(() => {
      throw new Error('transport bug');
    });
    client.counter('clicks');
    await expect(client.shutdown()).resolves.toBeUndefined();
  });
});

/** Replaces the fake's transport with one that records each request and answers only when told. */
function hold(f: ReturnType<typeof fake>) {
  const requests: Array<{ url: string; keepalive?: boolean; body: string; answer: (status: number) => void }> = [];
  f.platform.fetch = (url, init) =>
    new Promise((resolve) => {
      requests.push({
        url,
        keepalive: init.keepalive,
        body: init.body as string,
        answer: (status) => resolve({ status, headers: { get: () => null }, json: () => Promise.resolve({}) }),
      });
    });
  const kinds = () => requests.map((r) => r.url.split('/').pop());
  const ids = () =>
    requests.flatMap((r) => {
      const body = JSON.parse(r.body) as { id?: string; events?: Array<{ id: string }> };
      return body.events ? body.events.map((e) => e.id) : [body.id];
    });
  return { requests, kinds, ids };
}

describe('leaving the page', () => {
  it('starts every send before returning, even while backing off, and keeps it all queued until answered', async () => {
    const f = fake();
    f.respond(() => 'offline');
    const client = new SightlineClient(options(), f.platform);
    await client.ready;
    client.track('screen_view', { screen_name: 'home' });
    client.captureError(new TypeError('cart is undefined'));
    await f.advance(0); // the crash's own send failed: backing off
    expect(f.pendingTimers().length).toBeGreaterThan(1);
    const net = hold(f);
    client.leave();
    // Both requests went out before leave() returned, the crash first, with its id, uncompressed.
    expect(net.kinds()).toEqual(['crash', 'events']);
    expect(net.requests.every((r) => r.keepalive && typeof r.body === 'string')).toBe(true);
    expect((JSON.parse(net.requests[0]!.body) as { id?: string }).id).toMatch(/^[0-9a-f-]{36}$/);
    client.leave(); // pagehide after visibilitychange: nothing is sent twice
    expect(net.requests).toHaveLength(2);
    expect(client.queue.size).toBe(2);
    for (const r of net.requests) r.answer(202);
    await f.advance(0);
    expect(client.queue.size).toBe(0);
    expect(f.data.get('sightline:crashes')).toBe('[]');
  });

  it('keeps all keepalive requests within 64 KB, however often the page says it is going', async () => {
    const f = fake();
    const client = new SightlineClient(options({ batchSize: 500, flushInterval: 3_600_000 }), f.platform);
    await client.ready;
    for (let i = 0; i < 120; i++) client.track('note', { text: 'x'.repeat(900), i });
    const net = hold(f);
    client.leave(); // visibilitychange
    client.leave(); // pagehide, the first requests still unanswered
    const bytes = net.requests.reduce((sum, r) => sum + r.body.length, 0);
    expect(bytes).toBeLessThanOrEqual(60_000);
    expect(net.ids().length).toBeGreaterThan(40); // batches shrink to fit
    expect(new Set(net.ids()).size).toBe(net.ids().length);
    for (const r of net.requests) r.answer(202);
    await f.advance(0);
    expect(client.queue.size).toBe(121 - net.ids().length);
    expect(client.queue.peek(1)[0]!.data.i).toBe(net.ids().length - 1); // the oldest unsent is next
  });

  it('takes what it handed over out of storage when the page is unloaded, so the next visit does not send it again', async () => {
    const f = fake();
    const client = new SightlineClient(options(), f.platform);
    await client.ready;
    client.track('screen_view', { screen_name: 'home' });
    client.captureError(new Error('on the way out'));
    const net = hold(f);
    client.leave(true); // pagehide, not kept in the back/forward cache: no answer will come
    expect(net.kinds()).toEqual(['crash', 'events']);
    await f.advance(0);
    expect(f.data.get('sightline:queue')).toBe('[]');
    expect(f.data.get('sightline:crashes')).toBe('[]');
    const next = new SightlineClient(options(), f.platform); // the next visit
    await next.ready;
    expect(next.queue.size).toBe(0);
  });

  it('does not send again what a flush already has on the network', async () => {
    const f = fake();
    const client = new SightlineClient(options(), f.platform);
    await client.ready;
    client.track('screen_view', { screen_name: 'home' });
    const net = hold(f);
    client.captureError(new Error('sent at once')); // its flush is on the network now
    await f.advance(0);
    expect(net.kinds()).toEqual(['crash']);
    client.leave();
    expect(net.kinds()).toEqual(['crash', 'events']); // the events, not the crash again
    expect(new Set(net.ids()).size).toBe(net.ids().length);
  });
});

describe('choices stored by an earlier visit', () => {
  it('judge what was collected before they were read', async () => {
    const f = fake();
    const first = new SightlineClient(options({ privacy: { requireConsent: true } }), f.platform);
    await first.ready;
    first.setConsent({ analytics: true });
    await first.shutdown();

    // The landing page view is tracked before storage is read: consent given earlier keeps it.
    const second = new SightlineClient(options({ privacy: { requireConsent: true } }), f.platform);
    second.track('page_view', { path: '/' });
    await second.ready;
    expect(second.queue.peek(5).map((e) => e.type)).toEqual(['session_start', 'page_view']);
    second.optOut();
    await second.shutdown();

    // And an earlier opt-out drops it before anything is sent.
    const third = new SightlineClient(options({ privacy: { requireConsent: true } }), f.platform);
    third.track('page_view', { path: '/' });
    await third.ready;
    await third.flush();
    expect(third.queue.size).toBe(0);
    expect(f.sent.filter((s) => s.url.endsWith('/events'))).toEqual([]);
  });
});

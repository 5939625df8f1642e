// npm run bench:sdk [-- --calls 1000000 --runs 5]
//
// The cost of `track()` in Node (issue 8's budget: 1,000,000 calls ≤ 1 s), with the real
// client: session bookkeeping, sampling, PII scrubbing, the bounded queue and its storage,
// and the hand-over of every batch to a transport that answers at once. Each timing runs
// until `flush()` resolves, so the work `track()` leaves for later (storage, batching,
// serialising, gzip) is counted, in two cases:
//  - below the queue cap: rounds of half the cap, each flushed, so nothing is dropped and
//    every event reaches the transport;
//  - at the cap: the queue is filled first, then every call drops the oldest event, and the
//    cap's worth left is flushed at the end.
// Printed beside a reference measured in the same run: pushing the same objects onto an
// array. What the transport received is checked against what was tracked (exit code 1 if
// an event is missing or extra), so a fast figure cannot come from events not sent.
import { gunzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { SightlineClient } from '../src/core/client.ts';
import { nodePlatform } from '../src/node/platform.ts';

const { values } = parseArgs({
  options: { calls: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '5' } },
});
const calls = Number(values.calls);
const runs = Number(values.runs);
/** The SDK's default `maxQueueSize`, passed explicitly so the two cases stay on either side of it. */
const CAP = 1000;
const ROUND = CAP / 2;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)} ms`;
const failures: string[] = [];

/** A client whose transport answers at once and keeps the bodies, decoded after the clock stops. */
async function benchClient(): Promise<{ client: SightlineClient; received: () => number }> {
  const bodies: Array<string | Uint8Array> = [];
  const platform = {
    ...nodePlatform(),
    // What is measured is the SDK, not the network.
    fetch: (_url: string, init: { body?: string | Uint8Array }) => {
      if (init.body !== undefined) bodies.push(init.body);
      return Promise.resolve({ status: 202, headers: { get: () => null }, json: () => Promise.resolve({}) });
    },
  };
  const client = new SightlineClient(
    { key: 'pk_bench', endpoint: 'http://127.0.0.1:9', appVersion: '1.0.0', maxQueueSize: CAP },
    platform,
  );
  await client.ready;
  const received = () =>
    bodies.reduce((sum, body) => {
      const text = typeof body === 'string' ? body : gunzipSync(body).toString('utf8');
      return sum + (JSON.parse(text) as { events: unknown[] }).events.length;
    }, 0);
  return { client, received };
}

function check(name: string, got: number, want: number): void {
  if (got !== want) failures.push(`${name}: ${got.toLocaleString('en')}, expected ${want.toLocaleString('en')}`);
}

async function belowCapRun(): Promise<number> {
  const { client, received } = await benchClient();
  const started = performance.now();
  for (let done = 0; done < calls;) {
    const end = Math.min(calls, done + ROUND);
    for (; done < end; done++) client.track('feature_used', { feature_name: 'export', step: done & 7 });
    await client.flush();
  }
  const ms = performance.now() - started;
  await client.shutdown();
  // Every call's event, and the session_start the first call opened.
  check('below the cap: events the transport received', received(), calls + 1);
  check('below the cap: events dropped', client.queue.dropped, 0);
  return ms;
}

async function atCapRun(): Promise<number> {
  const { client, received } = await benchClient();
  for (let i = 0; i < CAP; i++) client.track('feature_used', { feature_name: 'export', step: i & 7 });
  const started = performance.now();
  for (let i = 0; i < calls; i++) client.track('feature_used', { feature_name: 'export', step: i & 7 });
  await client.flush();
  const ms = performance.now() - started;
  await client.shutdown();
  // The last CAP events are sent; the session_start and everything older were dropped.
  check('at the cap: events the transport received', received(), CAP);
  check('at the cap: events dropped', client.queue.dropped, calls + 1);
  return ms;
}

function referenceRun(): number {
  const sink: unknown[] = [];
  const started = performance.now();
  for (let i = 0; i < calls; i++) {
    sink.push({ type: 'feature_used', data: { feature_name: 'export', step: i & 7 }, timestamp: Date.now() });
    if (sink.length > 1000) sink.length = 0;
  }
  return performance.now() - started;
}

const below: number[] = [];
const atCap: number[] = [];
const reference: number[] = [];
for (let run = 1; run <= runs; run++) {
  below.push(await belowCapRun());
  atCap.push(await atCapRun());
  reference.push(referenceRun());
  console.log(
    `run ${run}: ${calls.toLocaleString('en')} track() calls through flush(): below the cap ${below.at(-1)!.toFixed(0)} ms, ` +
      `at the cap ${atCap.at(-1)!.toFixed(0)} ms; reference ${reference.at(-1)!.toFixed(0)} ms`,
  );
}
const ref = median(reference);
console.log(
  `\nmedians over ${runs} runs of ${calls.toLocaleString('en')} calls (spread min–max; budget 1,000 ms per 1,000,000 calls)`,
);
for (const [name, times] of [
  [`below the cap (rounds of ${ROUND}, each flushed)`, below],
  [`at the cap of ${CAP} (drop-oldest), then flushed`, atCap],
] as const) {
  const t = median(times);
  const ns = (t * 1e6) / calls;
  console.log(
    `${name.padEnd(44)} ${t.toFixed(0).padStart(6)} ms (${spread(times)}); ${ns.toFixed(0)} ns per call; ` +
      `${(t / ref).toFixed(1)}× the reference; budget ${ns <= 1000 ? 'met' : 'NOT met'}`,
  );
}
console.log(`${'reference: array push'.padEnd(44)} ${ref.toFixed(0).padStart(6)} ms (${spread(reference)})`);
if (failures.length > 0) {
  console.error(`\nFAILED: the transport did not receive what was tracked\n${failures.join('\n')}`);
  process.exitCode = 1;
}

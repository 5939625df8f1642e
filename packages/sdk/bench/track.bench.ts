// npm run bench:sdk [-- --calls 1000000 --runs 5]
//
// The cost of `track()` in a tight loop in Node (issue 8's budget: 1,000,000 calls ≤ 1 s),
// with the real client: session bookkeeping, sampling, PII scrubbing, the bounded queue
// and its storage, batches handed to a transport that answers at once. Printed beside a
// reference measured in the same run: pushing the same objects onto an array.
import { parseArgs } from 'node:util';
import { SightlineClient } from '../src/core/client.ts';
import { nodePlatform } from '../src/node/platform.ts';

const { values } = parseArgs({
  options: { calls: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '5' } },
});
const calls = Number(values.calls);
const runs = Number(values.runs);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function trackRun(): Promise<number> {
  const platform = {
    ...nodePlatform(),
    // A transport that answers at once: what is measured is the SDK, not the network.
    fetch: () => Promise.resolve({ status: 202, headers: { get: () => null }, json: () => Promise.resolve({}) }),
  };
  const client = new SightlineClient(
    { key: 'pk_bench', endpoint: 'http://127.0.0.1:9', appVersion: '1.0.0' },
    platform,
  );
  await client.ready;
  const started = performance.now();
  for (let i = 0; i < calls; i++) client.track('feature_used', { feature_name: 'export', step: i & 7 });
  const ms = performance.now() - started;
  await client.shutdown();
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

const tracked: number[] = [];
const reference: number[] = [];
for (let run = 1; run <= runs; run++) {
  const t = await trackRun();
  const r = referenceRun();
  tracked.push(t);
  reference.push(r);
  console.log(
    `run ${run}: track() ${calls.toLocaleString('en')} calls in ${t.toFixed(0)} ms; reference ${r.toFixed(0)} ms`,
  );
}
const t = median(tracked);
console.log(
  `median over ${runs} runs: ${calls.toLocaleString('en')} track() calls in ${t.toFixed(0)} ms ` +
    `(${((t * 1e6) / calls).toFixed(0)} ns per call; budget 1,000 ms; ${(t / median(reference)).toFixed(1)}× the array-push reference)`,
);

// Another tenant's client, in its own process so that its clock keeps running when the
// api's event loop is blocked: it asks `/healthz` and sends a small normal batch with its own
// key, over and over, and prints one JSON line per answer (`kind`, `startedAt`, `ms`,
// `status`). It stops after the answer in flight when anything arrives on stdin.
// Usage: node --import tsx latency-prober.ts <api url> <pk_ key>

const [base, key] = process.argv.slice(2);
if (!base || !key) throw new Error('usage: latency-prober.ts <api url> <pk_ key>');

let stopping = false;
process.stdin.on('data', () => (stopping = true));
process.stdin.on('end', () => (stopping = true));

async function probe(kind: string, request: () => Promise<Response>): Promise<void> {
  const startedAt = Date.now();
  const started = performance.now();
  let status: number;
  try {
    const res = await request();
    await res.arrayBuffer();
    status = res.status;
  } catch {
    status = -1;
  }
  process.stdout.write(`${JSON.stringify({ kind, startedAt, ms: performance.now() - started, status })}\n`);
}

const batch = () =>
  JSON.stringify({
    device_id: 'prober-device',
    events: [{ type: 'screen_view', timestamp: Date.now(), data: { screen_name: 'home' } }],
  });

while (!stopping) {
  await probe('healthz', () => fetch(`${base}/healthz`));
  await probe('events', () =>
    fetch(`${base}/v1/telemetry/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: batch(),
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
}
process.exit(0);

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createTestApp, createTestOrg, until } from '@sightline/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestStack } from '../support/ingest-stack.ts';

// One pk_ holder sends text built to make backtracking patterns quadratic — in event data,
// crash context, stack traces of each runtime's format, and a Sentry envelope — while the api
// and the worker's writers run here on one event loop. Another tenant's client, in its own
// process, must keep getting answers within 1 s, and a crash sent right after the hostile
// ones by another device must be grouped within 30 s. Before linear-time text handling, the
// api froze for 73 s on one 200 KB "aaaa…a@" and the worker for minutes on one stack trace.

/** Characters per hostile string: a field's worth, under the 1 MB body limit. */
const HOSTILE = 200_000;
const PROBER = fileURLToPath(new URL('../fixtures/latency-prober.ts', import.meta.url));

let stack: Awaited<ReturnType<typeof startIngestStack>>;
let url: string;

beforeAll(async () => {
  stack = await startIngestStack('com.example.hostile');
  url = await stack.listen();
});

afterAll(async () => {
  await stack?.close();
});

interface Probe {
  kind: string;
  startedAt: number;
  ms: number;
  status: number;
}

/** The other tenant's client: probes until stopped, then hands back every answer it timed. */
function startProber(key: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', PROBER, url, key], { stdio: ['pipe', 'pipe', 'inherit'] });
  const probes: Probe[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => probes.push(JSON.parse(line) as Probe));
  const exited = once(child, 'exit');
  return {
    probes,
    async stop(): Promise<Probe[]> {
      child.stdin.end('stop\n');
      await exited;
      return probes;
    },
  };
}

async function post(path: string, key: string, body: string, contentType = 'application/json') {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

const crash = (deviceId: string, fields: Record<string, unknown>) =>
  JSON.stringify({ device_id: deviceId, crash: { type: 'HostileError', level: 'error', ...fields } });

function sentryEnvelope(appId: number, text: string): string {
  const event = {
    event_id: randomUUID().replaceAll('-', ''),
    timestamp: Date.now() / 1000,
    platform: 'javascript',
    message: text.slice(0, 20_000),
    user: { id: text.slice(0, 1000), email: text.slice(0, 1000) },
    exception: {
      values: [
        {
          type: 'HostileError',
          value: text.slice(0, 20_000),
          stacktrace: {
            frames: Array.from({ length: 120 }, () => ({
              function: text.slice(0, 600),
              filename: text.slice(0, 2400),
            })),
          },
        },
      ],
    },
    extra: { note: text },
  };
  return [
    JSON.stringify({ dsn: `http://k@h/${appId}` }),
    JSON.stringify({ type: 'event' }),
    JSON.stringify(event),
  ].join('\n');
}

describe('hostile text from one tenant', () => {
  it('does not slow another tenant: answers within 1 s, its next crash grouped within 30 s', async () => {
    const { deps, app } = stack;
    const otherOrg = await createTestOrg(deps.prisma);
    const other = await createTestApp(deps.prisma, otherOrg.org.id, { bundleId: 'com.example.bystander' });
    const emailRun = `${'a'.repeat(HOSTILE)}@`;
    // What the worker parses: a stack trace in each runtime's format, built to backtrack.
    const stackCrashes = [
      crash('hostile-1', { stack_trace: `Error: x\n    at a${' '.repeat(HOSTILE)}x` }),
      crash('hostile-2', { stack_trace: `Error: x\n    at f (${'\t'.repeat(HOSTILE)}:1` }),
      crash('hostile-3', { stack_trace: `f@${'a'.repeat(HOSTILE / 2)}${' '.repeat(HOSTILE / 2)}x:1` }),
      crash('hostile-4', { stack_trace: `main.lua:1: in function 'f'${' '.repeat(HOSTILE)}x` }),
    ];
    // What the api scrubs: event data, crash context, breadcrumbs, a Sentry event.
    const scrubbed = [
      () =>
        post(
          '/v1/telemetry/events',
          app.ingestKey,
          JSON.stringify({
            device_id: 'hostile-0',
            events: [
              { type: 'custom', name: 'x', timestamp: Date.now(), data: { note: emailRun } },
              { type: 'custom', name: 'y', timestamp: Date.now(), data: { note: `${'a'.repeat(15_000)}@` } },
            ],
          }),
        ),
      () =>
        post(
          '/v1/telemetry/crash',
          app.ingestKey,
          crash('hostile-5', { message: `${'a'.repeat(7990)}@`, context: { note: emailRun } }),
        ),
      () => post('/v1/telemetry/crash', app.ingestKey, crash('hostile-6', { breadcrumbs: [{ message: emailRun }] })),
      () =>
        post(
          `/api/${app.app.id}/envelope/?sentry_key=${app.ingestKey}`,
          app.ingestKey,
          sentryEnvelope(app.app.id, emailRun),
          'application/x-sentry-envelope',
        ),
    ];

    const prober = startProber(other.ingestKey);
    await until(() => Promise.resolve(prober.probes.length >= 2 ? true : undefined), 30);
    const hostileFrom = Date.now();

    // The hostile stacks are acknowledged, so they are in the crash stream...
    const stackStatuses = await Promise.all(
      stackCrashes.map((body) => post('/v1/telemetry/crash', app.ingestKey, body)),
    );
    expect(stackStatuses).toEqual(stackCrashes.map(() => 202));
    // ...and another device's ordinary crash is queued behind them, while the scrubbing ones arrive.
    const scrubbing = Promise.all(scrubbed.map((send) => send()));
    const sentAt = Date.now();
    const normal = await post(
      '/v1/telemetry/crash',
      other.ingestKey,
      crash('bystander-device', {
        message: 'cart 17 not found',
        stack_trace:
          'Error: cart 17 not found\n    at loadCart (/app/src/cart.js:10:5)\n    at main (/app/src/main.js:3:1)',
      }),
    );
    expect(normal).toBe(202);
    const grouped = await until(async () => {
      const r = await deps.pool.query<{ group_id: string | null }>(
        'SELECT group_id FROM crash_reports WHERE app_id = $1 AND group_id IS NOT NULL',
        [other.app.id],
      );
      return r.rows[0] ? Date.now() - sentAt : undefined;
    }, 30);
    expect(grouped).toBeLessThan(30_000);

    // Nothing a client sent is a server error; the hostile crashes accepted are stored and grouped.
    const statuses = await scrubbing;
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    const accepted = stackCrashes.length + statuses.slice(1, 3).filter((status) => status === 202).length;
    await until(async () => {
      const r = await deps.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM crash_reports WHERE app_id = $1 AND group_id IS NOT NULL',
        [app.app.id],
      );
      return (r.rows[0]?.n ?? 0) >= accepted ? true : undefined;
    }, 30);

    const probes = await prober.stop();
    const during = probes.filter((p) => p.startedAt + p.ms >= hostileFrom);
    expect(during.length).toBeGreaterThanOrEqual(4);
    expect(during.filter((p) => p.status !== 200 && p.status !== 202)).toEqual([]);
    const slowest = Math.max(...during.map((p) => p.ms));
    expect(slowest, `the other tenant's slowest answer took ${slowest.toFixed(0)} ms`).toBeLessThan(1_000);
  }, 120_000);
});

// npm run bench:store [-- --rows 1000000 --batch 20000 --runs 3]
//
// Rows/s of the event writer (objects in, idempotent COPY, dirty-hour marking) beside the
// raw COPY ceiling of the same PostgreSQL in the same run: pre-encoded text streamed by
// one COPY into a table with the same columns, keys, indexes and day partitions. Runs
// alternate so both see the same cache and autovacuum weather; medians are reported.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createPool } from '../src/client.ts';
import { createEventWriter, DAY_MS, encodeEventRow, ensureEventPartitions, EVENT_COLUMNS, type EventRow } from '../src/event-store/index.ts';
import { createTestDatabase } from '../src/testing/index.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '3' },
  },
});
const ROWS = Number(values.rows);
const BATCH = Number(values.batch);
const RUNS = Number(values.runs);
const DAYS = 7;

const EVENT_MIX = [
  ['screen_view', 30], ['button_click', 25], ['page_view', 10], ['web_vital', 8], ['perf_frame', 8],
  ['http_request', 7], ['feature_used', 5], ['app_start', 3], ['app_stop', 3], ['app_crash', 1],
] as const;
const SCREENS = ['home', 'profile', 'settings', 'checkout', 'search', 'cart', 'product/123', 'login'];
const VERSIONS = ['1.0.0', '1.1.0', '1.2.0', '1.2.1', '2.0.0-beta.1'];

function realisticRows(orgId: string, appId: number, count: number): EventRow[] {
  const weights = EVENT_MIX.flatMap(([type, w]) => Array<string>(w).fill(type));
  const start = Date.UTC(2026, 9, 1);
  const rows = new Array<EventRow>(count);
  for (let i = 0; i < count; i++) {
    const type = weights[i % weights.length] ?? 'custom';
    const device = (i * 7919) % 20_000;
    const occurredAt = start + Math.floor((i / count) * DAYS * DAY_MS);
    const screen = SCREENS[device % SCREENS.length] ?? 'home';
    rows[i] = {
      orgId,
      appId,
      id: randomUUID(),
      occurredAt,
      receivedAt: occurredAt + 1500,
      type,
      name: screen,
      deviceId: `9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f${String(device).padStart(5, '0')}`,
      sessionId: `s-${device}-${Math.floor(occurredAt / 1_800_000)}`,
      appVersion: VERSIONS[device % VERSIONS.length] ?? '1.0.0',
      environment: 'production',
      os: device % 3 ? 'Android' : 'iOS',
      osVersion: device % 3 ? '14' : '17.4',
      deviceModel: device % 3 ? 'Pixel 8' : 'iPhone15,2',
      country: device % 5 ? 'DE' : 'US',
      value: type === 'perf_frame' || type === 'web_vital' || type === 'http_request' ? (i % 997) / 10 : null,
      data:
        type === 'button_click'
          ? { element_id: `btn-${i % 40}`, screen }
          : type === 'http_request'
            ? { method: 'GET', route: '/api/orders/:id', status: 200, duration_ms: (i % 997) / 10, response_bytes: 2048 }
            : { screen_name: screen, i: i % 100 },
    };
  }
  return rows;
}

async function rawCopy(pool: pg.Pool, table: string, text: string[]): Promise<void> {
  const client = await pool.connect();
  try {
    const stream = client.query(copyFrom(`COPY ${table} (${EVENT_COLUMNS.join(', ')}) FROM STDIN`));
    await pipeline(Readable.from(text), stream);
  } finally {
    client.release();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const db = await createTestDatabase('sightline_bench');
  const pool = createPool({ connectionString: db.url, max: 4 });
  try {
    const org = await pool.query<{ id: string }>(`INSERT INTO organizations (name, slug) VALUES ('Bench', 'bench') RETURNING id`);
    const orgId = org.rows[0]!.id;
    const app = await pool.query<{ id: number }>(
      `INSERT INTO apps (org_id, name, bundle_id) VALUES ($1, 'Bench', 'com.bench') RETURNING id`,
      [orgId],
    );
    const appId = app.rows[0]!.id;

    process.stdout.write(`generating ${fmt(ROWS)} event rows…\n`);
    const rows = realisticRows(orgId, appId, ROWS);
    // The ceiling gets its text for free: encoding is not part of what it measures.
    const chunks: string[] = [];
    for (let i = 0; i < rows.length; i += 2000) chunks.push(rows.slice(i, i + 2000).map(encodeEventRow).join(''));
    const megabytes = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0) / 1e6;

    // Same shape as events: columns, primary key, indexes, day partitions.
    await pool.query(`CREATE TABLE events_ceiling (LIKE events INCLUDING ALL) PARTITION BY RANGE (occurred_at)`);
    const firstDay = Math.floor(Date.UTC(2026, 9, 1) / DAY_MS);
    const days = Array.from({ length: DAYS + 1 }, (_, i) => firstDay + i);
    for (const day of days) {
      const from = new Date(day * DAY_MS).toISOString();
      const to = new Date((day + 1) * DAY_MS).toISOString();
      await pool.query(`CREATE TABLE events_ceiling_${day} PARTITION OF events_ceiling FOR VALUES FROM ('${from}') TO ('${to}')`);
    }
    await ensureEventPartitions(pool, days);

    const ceiling: number[] = [];
    const writer: number[] = [];
    const replay: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      await pool.query('TRUNCATE events, events_ceiling, rollup_dirty_hours');
      await pool.query('CHECKPOINT');
      let t = performance.now();
      await rawCopy(pool, 'events_ceiling', chunks);
      ceiling.push(ROWS / ((performance.now() - t) / 1000));

      await pool.query('CHECKPOINT');
      const store = createEventWriter(pool);
      t = performance.now();
      for (let i = 0; i < rows.length; i += BATCH) await store.write(rows.slice(i, i + BATCH));
      writer.push(ROWS / ((performance.now() - t) / 1000));

      // A replay of already-stored batches: the idempotent slow path (a tenth of the rows).
      const replayRows = rows.slice(0, Math.floor(ROWS / 10));
      t = performance.now();
      let duplicates = 0;
      for (let i = 0; i < replayRows.length; i += BATCH) duplicates += (await store.write(replayRows.slice(i, i + BATCH))).duplicates;
      replay.push(replayRows.length / ((performance.now() - t) / 1000));
      if (duplicates !== replayRows.length) throw new Error(`replay stored ${replayRows.length - duplicates} duplicate rows`);

      const stored = await pool.query<{ n: string }>('SELECT count(*) AS n FROM events');
      if (Number(stored.rows[0]!.n) !== ROWS) throw new Error(`expected ${ROWS} rows, found ${stored.rows[0]!.n}`);
      process.stdout.write(
        `run ${run}/${RUNS}: raw COPY ${fmt(ceiling.at(-1)!)} rows/s · writer ${fmt(writer.at(-1)!)} rows/s · replay ${fmt(replay.at(-1)!)} rows/s\n`,
      );
    }

    const ratio = median(writer) / median(ceiling);
    const spread = (xs: number[]): string => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
    process.stdout.write(
      [
        '',
        `event store benchmark: ${fmt(ROWS)} rows (${megabytes.toFixed(0)} MB as COPY text), batches of ${fmt(BATCH)}, ${RUNS} runs, median (min–max)`,
        `  raw COPY ceiling     ${fmt(median(ceiling)).padStart(10)} rows/s  (${spread(ceiling)})`,
        `  event writer         ${fmt(median(writer)).padStart(10)} rows/s  (${spread(writer)})`,
        `  writer / raw COPY    ${ratio.toFixed(2).padStart(10)}         (target ≥ 0.80: ${ratio >= 0.8 ? 'met' : 'NOT met'})`,
        `  replayed batches     ${fmt(median(replay)).padStart(10)} rows/s  (idempotent path, nothing stored twice)`,
        '',
        JSON.stringify({ rows: ROWS, batch: BATCH, runs: RUNS, ceilingRowsPerSec: Math.round(median(ceiling)), writerRowsPerSec: Math.round(median(writer)), ratio: Number(ratio.toFixed(3)), replayRowsPerSec: Math.round(median(replay)) }),
        '',
      ].join('\n'),
    );
  } finally {
    await pool.end();
    await db.drop();
  }
}

await main();

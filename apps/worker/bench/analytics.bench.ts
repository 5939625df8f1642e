// npm run bench:analytics [-- --events 10000000 --runs 30 --catch-up 1000000 --fresh]
//
// The analytics issue's benchmark on this machine:
//  1. seed-demo's data set (default 10M events over 30 days) in its own database, kept
//     between runs (--fresh re-seeds), then the aggregator's full backfill of every hour.
//     The seed time is recorded on the database (its comment) when seeding completes, and
//     every query window ends on the seed's day, not today's: a re-run days later queries
//     the same data. A database without a recorded seed time (an interrupted seed, or one
//     from before this was recorded) is seeded again;
//  2. p50/p95 latency of each dashboard query over 30 days, straight from core (no Redis
//     cache): overview, DAU series, versions, crash rate by version, performance percentiles
//     — target ≤ 50 ms; a 4-step funnel over 7 days and 8 weeks of retention — ≤ 1 s;
//  3. catch-up: 1M new events in one new hour, then the aggregator until nothing is dirty —
//     target ≤ 10 s.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  analyticsEventSeries,
  analyticsFunnel,
  analyticsOverview,
  analyticsPerformance,
  analyticsRetention,
  analyticsVersions,
  runAggregation,
  type OrgActor,
} from '@sightline/core';
import { seedDemo } from '@sightline/demo';
import { createPool, createPrismaClient } from '@sightline/db';
import { createEventWriter, type EventRow } from '@sightline/db/event-store';
import { applyMigrations, ensureDatabaseExists } from '@sightline/db/migrations';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    runs: { type: 'string', default: '30' },
    'catch-up': { type: 'string', default: '1000000' },
    fresh: { type: 'boolean', default: false },
  },
});
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
const CATCH_UP = Number(values['catch-up']);
const DAY = 86_400_000;
const base = process.env.BENCH_DATABASE_SERVER ?? 'postgresql://postgres@127.0.0.1:5432';
const dbName = `sightline_bench_analytics_${EVENTS}`;
const url = `${base}/${dbName}`;

const percentile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)] ?? 0;
const ms = (n: number) => `${n.toFixed(1).padStart(7)} ms`;

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await fn();
  return [performance.now() - started, value];
}

async function drain(pool: pg.Pool): Promise<{ hours: number; seconds: number }> {
  const started = performance.now();
  let hours = 0;
  for (;;) {
    const pass = await runAggregation(pool, { limit: 500 });
    hours += pass.hours;
    if (pass.hours === 0) break;
  }
  return { hours, seconds: (performance.now() - started) / 1000 };
}

async function dropDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}

/** When the data set was seeded (its `now`), as recorded on the database once seeding completed. */
async function seededAt(pool: pg.Pool): Promise<Date | null> {
  const { rows } = await pool.query<{ comment: string | null }>(
    `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = current_database()`,
  );
  const match = /^seeded_at=(\S+)$/.exec(rows[0]?.comment ?? '');
  return match ? new Date(match[1]!) : null;
}

async function main(): Promise<void> {
  if (values.fresh) await dropDatabase();
  await ensureDatabaseExists(url);
  // A database the old bench seeded, or a seed that did not finish, has no recorded seed time.
  {
    const probe = createPool({ connectionString: url, max: 1 });
    const known = await seededAt(probe);
    await probe.end();
    if (!known) {
      await dropDatabase();
      await ensureDatabaseExists(url);
    }
  }
  await applyMigrations(url);
  const pool = createPool({ connectionString: url, max: 6 });
  const prisma = createPrismaClient({ connectionString: url, max: 6 });
  try {
    let seedTime = await seededAt(pool);
    if (!seedTime) {
      console.log(`seeding ${EVENTS.toLocaleString('en')} events over 30 days…`);
      const now = new Date();
      const [seedMs] = await timed(() =>
        seedDemo({
          prisma,
          pool,
          now,
          events: EVENTS,
          days: 30,
          devices: Math.max(50, Math.min(20_000, Math.round(EVENTS / 60))),
          onProgress: (line) => process.stdout.write(`  ${line}\n`),
        }),
      );
      console.log(`seeded in ${(seedMs / 1000).toFixed(0)} s`);
      await pool.query(`COMMENT ON DATABASE ${dbName} IS 'seeded_at=${now.toISOString()}'`);
      seedTime = now;
    }
    const org = await prisma.organization.findFirstOrThrow({ where: { name: 'Demo Co' }, include: { apps: true } });
    const backfill = await drain(pool);
    if (backfill.hours > 0) {
      console.log(`aggregator backfill: ${backfill.hours} app-hours in ${backfill.seconds.toFixed(1)} s`);
    }
    const [{ count }] = (await pool.query<{ count: string }>('SELECT count(*) FROM events')).rows as [
      { count: string },
    ];
    const owner = await prisma.membership.findFirstOrThrow({ where: { orgId: org.id, role: 'OWNER' } });
    const actor: OrgActor = {
      orgId: org.id,
      role: 'OWNER',
      userId: owner.userId,
      audit: { type: 'USER', id: owner.userId },
    };
    const web = org.apps.find((a) => a.platform === 'WEB') ?? org.apps[0]!;
    const busiest =
      (
        await pool.query<{ app_id: number }>(
          `SELECT app_id FROM rollups_daily WHERE org_id = $1 AND metric = 'active' GROUP BY 1 ORDER BY sum(count) DESC LIMIT 1`,
          [org.id],
        )
      ).rows[0]?.app_id ?? web.id;
    // Windows end on the seed's day (the data's last day), however long ago that was.
    const seedDay = Math.floor(seedTime.getTime() / DAY) * DAY;
    const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
    const month = { start: iso(seedDay - 29 * DAY), end: iso(seedDay) };
    const week = { start: iso(seedDay - 6 * DAY), end: iso(seedDay) };
    const pages = (
      await pool.query<{ name: string }>(
        `SELECT name FROM rollups_daily r, LATERAL (SELECT r.dimension AS name) n
         WHERE org_id = $1 AND app_id = $2 AND metric = 'screen' GROUP BY 1 ORDER BY sum(count) DESC LIMIT 4`,
        [org.id, web.id],
      )
    ).rows.map((r) => r.name);
    const screenType =
      (
        await pool.query<{ dimension: string }>(
          `SELECT dimension FROM rollups_daily WHERE org_id = $1 AND app_id = $2 AND metric = 'events'
           AND dimension IN ('page_view', 'screen_view') GROUP BY 1 ORDER BY sum(count) DESC LIMIT 1`,
          [org.id, web.id],
        )
      ).rows[0]?.dimension ?? 'page_view';

    console.log(
      `\n${Number(count).toLocaleString('en')} raw events seeded at ${seedTime.toISOString()}; ` +
        `queries over the 30 days to ${month.end} on app ${busiest} (${RUNS} runs each)`,
    );
    // What the windows hold: the same on every re-run of this seed, whatever the date.
    const held = await analyticsOverview(prisma, actor, busiest, month);
    console.log(
      `the 30-day window holds ${held.events.toLocaleString('en')} events in ${held.sessions.toLocaleString('en')} sessions`,
    );
    const queries: Array<[string, number, () => Promise<unknown>]> = [
      ['overview (30 d, with previous 30 d)', 50, () => analyticsOverview(prisma, actor, busiest, month)],
      ['DAU series', 50, () => analyticsEventSeries(prisma, actor, busiest, month)],
      ['versions + crash rate by version', 50, () => analyticsVersions(prisma, actor, busiest, month)],
      [
        'performance percentiles (LCP, per day)',
        50,
        () => analyticsPerformance(prisma, actor, web.id, { ...month, eventType: 'web_vital', name: 'LCP' }),
      ],
      [
        `funnel of 4 ${screenType}s over 7 days`,
        1000,
        () =>
          analyticsFunnel(prisma, actor, web.id, {
            ...week,
            steps: pages.slice(0, 4).map((name) => ({ type: screenType, name })),
          }),
      ],
      [
        'retention, 8 weekly cohorts',
        1000,
        () => analyticsRetention(prisma, actor, busiest, { period: 'week', periods: 8, end: month.end }),
      ],
    ];
    for (const [name, target, run] of queries) {
      await run(); // warm
      const times: number[] = [];
      for (let i = 0; i < (target > 50 ? Math.max(5, Math.round(RUNS / 3)) : RUNS); i++)
        times.push((await timed(run))[0]);
      const p95 = percentile(times, 0.95);
      console.log(
        `${name.padEnd(42)} p50 ${ms(percentile(times, 0.5))}  p95 ${ms(p95)}  target ≤ ${target} ms  ${p95 <= target ? 'met' : 'NOT met'}`,
      );
    }

    if (CATCH_UP > 0) {
      // One new hour (the next whole hour, as a burst would be) of CATCH_UP events of 20k devices.
      const hour = Math.ceil(Date.now() / 3_600_000) * 3_600_000;
      const types = ['page_view', 'click', 'web_vital', 'resource_timing', 'session_start', 'app_start'];
      const rows: EventRow[] = Array.from({ length: CATCH_UP }, (_, i) => {
        const type = types[i % types.length]!;
        return {
          orgId: org.id,
          appId: web.id,
          id: randomUUID(),
          occurredAt: hour + Math.floor((i / CATCH_UP) * 3_599_000),
          receivedAt: Date.now(),
          type,
          name: type === 'web_vital' ? 'LCP' : type === 'page_view' ? (pages[i % 4] ?? '/') : null,
          value: type === 'web_vital' || type === 'resource_timing' ? 100 + (i % 4000) : null,
          deviceId: `burst-${i % 20_000}`,
          sessionId: `burst-s-${i % 40_000}`,
          appVersion: '9.9.9',
          os: 'Android',
          browser: 'Chrome',
          country: 'DE',
          data: type === 'web_vital' ? { page: pages[i % 4] ?? '/' } : {},
        };
      });
      const writer = createEventWriter(pool);
      const [writeMs] = await timed(async () => {
        for (let i = 0; i < rows.length; i += 50_000) await writer.write(rows.slice(i, i + 50_000));
      });
      const catchUp = await drain(pool);
      console.log(
        `\ncatch-up: ${CATCH_UP.toLocaleString('en')} events in one new hour (written in ${(writeMs / 1000).toFixed(1)} s), ` +
          `aggregated in ${catchUp.seconds.toFixed(2)} s (${catchUp.hours} app-hours)  target ≤ 10 s  ${catchUp.seconds <= 10 ? 'met' : 'NOT met'}`,
      );
      // Leave the data set as seeded for the next run.
      await pool.query(`DELETE FROM events WHERE org_id = $1 AND app_id = $2 AND occurred_at >= $3`, [
        org.id,
        web.id,
        new Date(hour),
      ]);
      await pool.query(`DELETE FROM device_days WHERE org_id = $1 AND device_id LIKE 'burst-%'`, [org.id]);
      await pool.query(`DELETE FROM rollups_hourly WHERE org_id = $1 AND bucket >= $2`, [org.id, new Date(hour)]);
      await pool.query(
        `INSERT INTO rollup_dirty_hours (org_id, app_id, hour) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [org.id, web.id, new Date(hour)],
      );
      await drain(pool);
    }
  } finally {
    await prisma.$disconnect();
    await pool.end();
  }
}

await main();

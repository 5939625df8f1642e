// npm run bench:crashes [-- --crashes 60000 --runs 3]
//
// Crash grouping on this machine: realistic crash reports of the demo's three apps (Chrome,
// Firefox and Safari traces with bundle hashes, Node traces, Lua tracebacks; every release
// shifts lines) are put in the crash buffer stream, then the worker's crash writer drains
// it: fingerprint, store each report, upsert its group, count distinct devices. Reports
// grouped per second, from the first read to the last commit; medians over runs. Also
// fingerprinting alone, and a check that each bug became exactly one group: a run with more
// or fewer groups than bugs fails the bench (exit code 1), after printing both counts.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { CRASHES_STREAM, createLogger, fingerprintCrash, type CrashRecord } from '@sightline/core';
import { DEMO_APPS, messageFor, renderStack, stackStyle } from '@sightline/demo';
import { createTestApp, createTestOrg } from '@sightline/core/testing';
import { createPool, createPrismaClient } from '@sightline/db';
import { createTestDatabase } from '@sightline/db/testing';
import { Redis } from 'ioredis';
import { startIngestWriters } from '../src/jobs/ingest-writers.ts';

const { values } = parseArgs({
  options: { crashes: { type: 'string', default: '60000' }, runs: { type: 'string', default: '3' } },
});
const CRASHES = Number(values.crashes);
const RUNS = Number(values.runs);
const BROWSERS = ['Chrome', 'Firefox', 'Safari', 'Edge'];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** The reports, and how many distinct bugs (an app's crash kind) they come from: a small --crashes may not reach them all. */
function makeReports(apps: Array<{ orgId: string; appId: number; demo: (typeof DEMO_APPS)[number] }>): {
  reports: CrashRecord[];
  bugs: number;
} {
  const now = Date.now();
  const bugs = new Set<string>();
  const reports = Array.from({ length: CRASHES }, (_, i): CrashRecord => {
    const { orgId, appId, demo } = apps[i % apps.length]!;
    const kindIndex = Math.floor(i / apps.length) % demo.crashes.length;
    const kind = demo.crashes[kindIndex]!;
    bugs.add(`${appId}/${kindIndex}`);
    const versionIndex = i % demo.versions.length;
    const version = demo.versions[versionIndex]!;
    const browser = demo.platform === 'WEB' ? BROWSERS[i % BROWSERS.length]! : null;
    return {
      id: randomUUID(),
      orgId,
      appId,
      source: 'sightline',
      occurredAt: now - (CRASHES - i),
      receivedAt: now,
      deviceId: `device-${i % 5000}`,
      sessionId: null,
      userId: null,
      appVersion: version,
      environment: 'production',
      crashType: kind.type,
      level: kind.level,
      handled: kind.handled,
      message: messageFor(kind, browser),
      stackTrace: renderStack(kind, versionIndex, version, stackStyle(demo.platform, browser), browser),
      frames: null,
      sdkFingerprint: null,
      context: { screen: 'checkout', memory_mb: 812 },
      breadcrumbs: [{ at: now - 5000, message: 'tapped pay' }],
      tags: null,
      os: 'Android',
      osVersion: '14',
      browser,
      deviceModel: 'Pixel 8',
      country: 'DE',
    };
  });
  return { reports, bugs: bugs.size };
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const pool = createPool({ connectionString: db.url, max: 6 });
  const prisma = createPrismaClient({ connectionString: db.url, max: 2 });
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const rates: number[] = [];
  const fingerprintRates: number[] = [];
  const releases = DEMO_APPS.reduce((sum, a) => sum + a.versions.length, 0);
  const mismatches: string[] = [];
  try {
    for (let run = 1; run <= RUNS; run++) {
      const { org } = await createTestOrg(prisma);
      const apps = await Promise.all(
        DEMO_APPS.map(async (demo) => ({ orgId: org.id, appId: (await createTestApp(prisma, org.id)).app.id, demo })),
      );
      const { reports, bugs } = makeReports(apps);

      const t0 = performance.now();
      for (const r of reports)
        fingerprintCrash({ crashType: r.crashType, message: r.message, stackTrace: r.stackTrace });
      fingerprintRates.push(reports.length / ((performance.now() - t0) / 1000));

      const namespace = `bench-crashes-${randomUUID().slice(0, 8)}`;
      const stream = `${namespace}:${CRASHES_STREAM}`;
      for (let i = 0; i < reports.length; i += 1000) {
        const pipeline = redis.pipeline();
        for (const r of reports.slice(i, i + 1000)) pipeline.xadd(stream, '*', 'b', JSON.stringify(r));
        await pipeline.exec();
      }
      const writerRedis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
      const started = performance.now();
      const writers = startIngestWriters({ pool, redis: writerRedis, log: createLogger('bench', 'warn'), namespace });
      const orgId = org.id;
      for (;;) {
        const n = Number(
          (
            await pool.query<{ n: string }>(
              'SELECT count(*) AS n FROM crash_reports WHERE org_id = $1 AND group_id IS NOT NULL',
              [orgId],
            )
          ).rows[0]?.n,
        );
        if (n >= reports.length) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const seconds = (performance.now() - started) / 1000;
      rates.push(reports.length / seconds);
      await writers.close();
      writerRedis.disconnect();
      await redis.del(stream);

      const groups = Number(
        (await pool.query<{ n: string }>('SELECT count(*) AS n FROM crash_groups WHERE org_id = $1', [orgId])).rows[0]
          ?.n,
      );
      const groupCheck = `${groups} groups for ${bugs} distinct bugs across ${releases} releases`;
      if (groups !== bugs) mismatches.push(`run ${run}: ${groupCheck}`);
      console.log(
        `run ${run}: ${reports.length} crashes grouped in ${seconds.toFixed(2)} s = ${Math.round(rates.at(-1)!)} crashes/s; ${groupCheck}`,
      );
    }
    console.log(`\nmedians over ${RUNS} runs`);
    console.log(`crashes grouped (stored, fingerprinted, grouped, committed)  ${Math.round(median(rates))} crashes/s`);
    console.log(
      `fingerprinting alone                                          ${Math.round(median(fingerprintRates))} crashes/s`,
    );
    if (mismatches.length > 0) {
      console.error(`\nFAILED: each bug must become exactly one group\n${mismatches.join('\n')}`);
      process.exitCode = 1;
    } else console.log(`one group per bug in every run`);
  } finally {
    redis.disconnect();
    await pool.end();
    await prisma.$disconnect();
    await db.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

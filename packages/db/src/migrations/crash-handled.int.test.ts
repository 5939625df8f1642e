import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyTestDatabase, type TestDatabase } from '../testing/index.ts';
import { applyMigrations, MIGRATIONS_DIR } from './runner.ts';

// The crash/error migration (issue 18) on an installation that already holds crash reports:
// a database migrated up to just before it gets the rows an older Sightline stored, then
// the rest of the migrations run, as an upgrade would.

const MIGRATION = '20261207120100_crash_handled';

let db: TestDatabase;
let client: pg.Client;
let before: string;
let orgId: string;
let appId: number;
const groupIds: Record<string, string> = {};

/** A crash report as an older Sightline stored it (no `handled` column yet). */
async function report(
  key: string,
  fields: { level: string; crashType?: string; context?: unknown; session?: string; at?: string },
): Promise<void> {
  await client.query(
    `INSERT INTO crash_reports (org_id, app_id, group_id, occurred_at, device_id, session_id, crash_type, level, context)
     VALUES ($1, $2, $3, $4, 'device-' || $5, $6, $7, $8::"CrashLevel", $9)`,
    [
      orgId,
      appId,
      groupIds[key],
      fields.at ?? '2026-12-01T10:15:00Z',
      key,
      fields.session ?? null,
      fields.crashType ?? 'Error',
      fields.level,
      JSON.stringify(fields.context ?? {}),
    ],
  );
}

beforeAll(async () => {
  db = await createEmptyTestDatabase();
  before = await mkdtemp(join(tmpdir(), 'sightline-migrations-'));
  for (const name of await readdir(MIGRATIONS_DIR)) {
    if (name < MIGRATION) await cp(join(MIGRATIONS_DIR, name), join(before, name), { recursive: true });
  }
  await applyMigrations(db.url, { dir: before });
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  orgId = (
    await client.query<{ id: string }>(`INSERT INTO organizations (name, slug) VALUES ('Old', 'old') RETURNING id`)
  ).rows[0]!.id;
  appId = (
    await client.query<{ id: number }>(
      `INSERT INTO apps (org_id, name, bundle_id) VALUES ($1, 'Shop', 'com.example.shop') RETURNING id`,
      [orgId],
    )
  ).rows[0]!.id;
  for (const key of ['fatal', 'onerror', 'rejection', 'sentryUnhandled', 'sentryHandled', 'lua', 'manual']) {
    groupIds[key] = (
      await client.query<{ id: string }>(
        `INSERT INTO crash_groups (org_id, app_id, fingerprint, crash_type, first_seen_at, last_seen_at, occurrence_count)
         VALUES ($1, $2, $3, 'Error', now(), now(), 2) RETURNING id`,
        [orgId, appId, `fp-${key}`],
      )
    ).rows[0]!.id;
  }
  await client.query(
    `INSERT INTO sessions (org_id, app_id, id, device_id, started_at, ended_at)
     VALUES ($1, $2, 's-onerror', 'device-onerror', '2026-12-01T10:00:00Z', '2026-12-01T10:20:00Z'),
            ($1, $2, 's-manual', 'device-manual', '2026-12-01T10:00:00Z', '2026-12-01T10:20:00Z')`,
    [orgId, appId],
  );
  // Two reports per group, as each kind of sender stored them before.
  for (let i = 0; i < 2; i++) {
    await report('fatal', { level: 'fatal' }); // Node SDK uncaught, REST default
    await report('onerror', {
      level: 'error',
      session: 's-onerror',
      context: { source: 'onerror', page: '/cart' },
      at: '2026-12-01T10:05:00Z',
    });
    await report('rejection', { level: 'error', context: { source: 'unhandledrejection' } });
    await report('sentryUnhandled', {
      level: 'error',
      context: { sentry: { mechanism: { type: 'onerror', handled: false } } },
    });
    await report('sentryHandled', {
      level: 'error',
      context: { sentry: { mechanism: { type: 'generic', handled: true } } },
    });
    await report('lua', { level: 'error', crashType: 'lua_error' });
    await report('manual', { level: 'error', session: 's-manual', context: { page: '/checkout' } });
  }
  await applyMigrations(db.url);
}, 120_000);

afterAll(async () => {
  await client?.end();
  await db?.drop();
  if (before) await rm(before, { recursive: true, force: true });
});

describe(`migration ${MIGRATION} on existing crash reports`, () => {
  it('makes what nothing caught a crash and keeps errors the app reported itself handled', async () => {
    const { rows } = await client.query<{ fingerprint: string; handled: boolean[]; unhandled_count: string }>(
      `SELECT g.fingerprint, array_agg(r.handled) AS handled, g.unhandled_count::text
         FROM crash_groups g JOIN crash_reports r ON r.group_id = g.id
        WHERE g.org_id = $1 GROUP BY g.id ORDER BY g.fingerprint`,
      [orgId],
    );
    const byGroup = Object.fromEntries(rows.map((r) => [r.fingerprint.slice(3), r]));
    for (const key of ['fatal', 'onerror', 'rejection', 'sentryUnhandled', 'lua']) {
      expect(byGroup[key], key).toMatchObject({ handled: [false, false], unhandled_count: '2' });
    }
    for (const key of ['sentryHandled', 'manual']) {
      expect(byGroup[key], key).toMatchObject({ handled: [true, true], unhandled_count: '0' });
    }
  });

  it('marks sessions with an unhandled crash crashed, and only those', async () => {
    const { rows } = await client.query<{ id: string; crashed: boolean }>(
      `SELECT id, crashed FROM sessions WHERE org_id = $1 ORDER BY id`,
      [orgId],
    );
    expect(rows).toEqual([
      { id: 's-manual', crashed: false },
      { id: 's-onerror', crashed: true },
    ]);
  });

  it('leaves the hours whose crash figures changed for the aggregator to recompute', async () => {
    const { rows } = await client.query<{ hour: Date }>(
      `SELECT hour FROM rollup_dirty_hours WHERE org_id = $1 AND app_id = $2 ORDER BY hour`,
      [orgId, appId],
    );
    // 10:05 (onerror) and 10:15 (the others) are one hour; fatal reports were crashes already.
    expect(rows.map((r) => r.hour.toISOString())).toEqual(['2026-12-01T10:00:00.000Z']);
  });

  it('stores a report written without the column as handled (writers always say which)', async () => {
    await report('manual', { level: 'info' });
    const { rows } = await client.query<{ handled: boolean }>(
      `SELECT handled FROM crash_reports WHERE org_id = $1 AND level = 'info'`,
      [orgId],
    );
    expect(rows).toEqual([{ handled: true }]);
  });
});

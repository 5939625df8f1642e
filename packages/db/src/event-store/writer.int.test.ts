import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../client.ts';
import { createTestDatabase, type TestDatabase } from '../testing/index.ts';
import { createEventWriter, type EventRow } from './writer.ts';
import { listEventPartitions } from './partitions.ts';

let db: TestDatabase;
let pool: pg.Pool;
let orgId: string;
let otherOrgId: string;
let appId: number;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ connectionString: db.url, max: 4 });
  const orgs = await pool.query<{ id: string }>(
    `INSERT INTO organizations (name, slug) VALUES ('A', 'a'), ('B', 'b') RETURNING id`,
  );
  orgId = orgs.rows[0]!.id;
  otherOrgId = orgs.rows[1]!.id;
  const app = await pool.query<{ id: number }>(
    `INSERT INTO apps (org_id, name, bundle_id) VALUES ($1, 'App', 'com.example.app') RETURNING id`,
    [orgId],
  );
  appId = app.rows[0]!.id;
});

afterAll(async () => {
  await pool.end();
  await db.drop();
});

function rows(count: number, start = Date.UTC(2026, 10, 20, 10)): EventRow[] {
  return Array.from({ length: count }, (_, i) => ({
    orgId,
    appId,
    id: randomUUID(),
    occurredAt: start + i * 60_000,
    receivedAt: Date.now(),
    type: i % 2 ? 'screen_view' : 'button_click',
    name: `screen-${i % 5}`,
    deviceId: `device-${i % 7}`,
    sessionId: 'session-1',
    appVersion: '1.2.0',
    data: { i },
  }));
}

async function countEvents(where = 'TRUE', params: unknown[] = []): Promise<number> {
  const result = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE ${where}`, params);
  return Number(result.rows[0]!.n);
}

describe('event writer', () => {
  it('stores a batch once even when it is written again', async () => {
    const writer = createEventWriter(pool);
    const batch = rows(500);
    const before = await countEvents();
    expect(await writer.write(batch)).toEqual({ inserted: 500, duplicates: 0 });
    expect(await writer.write(batch)).toEqual({ inserted: 0, duplicates: 500 });
    expect(await countEvents()).toBe(before + 500);
  });

  it('keeps the new rows of a batch that partly repeats an earlier one', async () => {
    const writer = createEventWriter(pool);
    const first = rows(100, Date.UTC(2026, 10, 18, 8));
    await writer.write(first);
    const replay = [...first.slice(50), ...rows(30, Date.UTC(2026, 10, 18, 20))];
    // An event repeated inside one batch is stored once, too.
    replay.push({ ...replay[0]! });
    expect(await writer.write(replay)).toEqual({ inserted: 30, duplicates: 51 });
    const ids = [...first, ...replay].map((r) => r.id);
    expect(await countEvents('id = ANY($1::uuid[])', [ids])).toBe(130);
  });

  it('creates the day partitions a batch needs, for late and early events alike', async () => {
    const writer = createEventWriter(pool);
    const days = [Date.UTC(2026, 0, 1, 12), Date.UTC(2026, 5, 15, 23, 59), Date.UTC(2027, 1, 28, 0, 0)];
    const batch = days.flatMap((day) => rows(3, day));
    await writer.write(batch);
    const names = (await listEventPartitions(pool)).map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['events_p20260101', 'events_p20260615', 'events_p20270228']));
    const stored = await pool.query<{ occurred_at: Date }>(
      `SELECT occurred_at FROM events_p20270228 WHERE id = ANY($1::uuid[])`,
      [batch.map((r) => r.id)],
    );
    expect(stored.rowCount).toBe(3);
  });

  it('stores text and JSON exactly as sent, whatever characters they hold', async () => {
    const writer = createEventWriter(pool);
    const tricky = 'tab\there\nnewline\r\\backslash "quotes" ünïcödé 🚀 \\N';
    const [row] = rows(1);
    const event = { ...row!, name: tricky, userId: null, data: { message: tricky, nested: { list: [1, 'two', null] } } };
    await writer.write([event]);
    const stored = await pool.query<{ name: string; user_id: string | null; data: unknown }>(
      `SELECT name, user_id, data FROM events WHERE id = $1`,
      [event.id],
    );
    expect(stored.rows[0]).toEqual({ name: tricky, user_id: null, data: event.data });
  });

  it('marks each touched hour for the aggregator, once per app and hour', async () => {
    const writer = createEventWriter(pool);
    const hour = Date.UTC(2026, 2, 3, 7);
    await writer.write(rows(90, hour)); // 90 minutes: two hours
    const dirty = await pool.query<{ hour: Date }>(
      `SELECT hour FROM rollup_dirty_hours WHERE org_id = $1 AND app_id = $2 AND hour >= $3 AND hour < $4 ORDER BY hour`,
      [orgId, appId, new Date(hour), new Date(hour + 3 * 3_600_000)],
    );
    expect(dirty.rows.map((r) => r.hour.getTime())).toEqual([hour, hour + 3_600_000]);
  });

  it('rejects a batch for an organization that does not exist without storing any of it', async () => {
    const writer = createEventWriter(pool);
    const batch = rows(5).map((r) => ({ ...r, orgId: randomUUID() }));
    await expect(writer.write(batch)).rejects.toThrow();
    expect(await countEvents('id = ANY($1::uuid[])', [batch.map((r) => r.id)])).toBe(0);
    expect(await countEvents('org_id = $1', [otherOrgId])).toBe(0);
  });
});

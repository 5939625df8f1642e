import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../client.ts';
import { createTestDatabase, type TestDatabase } from '../testing/index.ts';
import {
  createPartitionsAhead,
  DAY_MS,
  dropEventPartitionsBefore,
  ensureEventPartitions,
  listEventPartitions,
  partitionName,
} from './partitions.ts';
import { createEventWriter } from './writer.ts';

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool({ connectionString: db.url, max: 4 });
});

afterAll(async () => {
  await pool.end();
  await db.drop();
});

describe('event partitions', () => {
  it('names partitions by UTC day', () => {
    expect(partitionName(Math.floor(Date.UTC(2026, 10, 22, 23, 59) / DAY_MS))).toBe('events_p20261122');
  });

  it('creates today and the days ahead, and creating again changes nothing', async () => {
    const now = Date.UTC(2026, 10, 22, 15);
    const created = await createPartitionsAhead(pool, 3, now);
    expect(created).toEqual(['events_p20261122', 'events_p20261123', 'events_p20261124', 'events_p20261125']);
    await createPartitionsAhead(pool, 3, now);
    const listed = await listEventPartitions(pool);
    expect(listed.filter((p) => created.includes(p.name))).toHaveLength(4);
    const first = listed.find((p) => p.name === 'events_p20261122');
    expect(first?.from.toISOString()).toBe('2026-11-22T00:00:00.000Z');
    expect(first?.to.toISOString()).toBe('2026-11-23T00:00:00.000Z');
  });

  it('survives many processes creating the same partitions at once', async () => {
    const day = Math.floor(Date.UTC(2025, 0, 10) / DAY_MS);
    const days = [day, day + 1, day + 2];
    await Promise.all(Array.from({ length: 6 }, () => ensureEventPartitions(pool, days)));
    const names = (await listEventPartitions(pool)).map((p) => p.name);
    expect(names.filter((n) => n.startsWith('events_p2025011'))).toEqual([
      'events_p20250110',
      'events_p20250111',
      'events_p20250112',
    ]);
  });

  it('drops whole expired days and leaves every newer row in place', async () => {
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO organizations (name, slug) VALUES ('Org', 'org-drop') RETURNING id`,
    );
    const orgId = rows[0]!.id;
    const writer = createEventWriter(pool);
    const base = Date.UTC(2024, 5, 1, 12);
    const events = Array.from({ length: 5 }, (_, day) => ({
      orgId,
      appId: 1,
      id: randomUUID(),
      occurredAt: base + day * DAY_MS,
      receivedAt: base + day * DAY_MS,
      type: 'app_start',
      deviceId: 'd1',
    }));
    await writer.write(events);

    const dropped = await dropEventPartitionsBefore(pool, new Date(Date.UTC(2024, 5, 3)));
    expect(dropped).toEqual(['events_p20240601', 'events_p20240602']);
    const left = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE org_id = $1`, [orgId]);
    expect(Number(left.rows[0]!.n)).toBe(3);
    const names = (await listEventPartitions(pool)).map((p) => p.name);
    expect(names).not.toContain('events_p20240601');
    expect(names).toContain('events_p20240603');
  });
});

import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createTestServerDeps } from '@sightline/api/testing';
import { registerDevice, requestDeviceDeletion, type Principal } from '@sightline/core';
import { createTestApp, createTestOrg, until } from '@sightline/core/testing';
import { createEventWriter, createPartitionsAhead, type EventRow } from '@sightline/db/event-store';
import { createTestDatabase } from '@sightline/db/testing';
import { describe, expect, it } from 'vitest';
import { spawnWorker } from '../support/ingest-stack.ts';

// A GDPR deletion survives its worker being killed with SIGKILL midway: a second worker
// takes the stalled job, resumes at the recorded step, and finishes — nothing of the
// subject remains, and every row of every other device is still there (counted before
// and after).

const DAY = 86_400_000;
const DAYS = 20;

describe('GDPR deletion under faults', () => {
  it('finishes after the worker is killed with SIGKILL in the middle of a large delete', async () => {
    const db = await createTestDatabase();
    const deps = createTestServerDeps(db.url);
    const workers: ChildProcess[] = [];
    const startWorker = () => {
      const child = spawnWorker(
        { DATABASE_URL: db.url, REDIS_PREFIX: deps.namespace, SIGHTLINE_SECRET: deps.secret },
        Boolean(process.env.DEBUG_WORKER),
      );
      workers.push(child);
      return child;
    };
    const locker = await deps.pool.connect();
    try {
      const org = await createTestOrg(deps.prisma);
      const app = await createTestApp(deps.prisma, org.org.id);
      const ingest = (await deps.resolver.resolve(app.ingestKey))!;
      const devices: Principal[] = [];
      for (const raw of ['subject', 'other-1', 'other-2', 'other-3']) {
        const { deviceId } = await registerDevice(
          deps.prisma,
          ingest,
          { app_id: app.app.id, device_id: raw },
          deps.secret,
        );
        const { deviceIdHash } = await deps.prisma.device.findUniqueOrThrow({ where: { id: deviceId } });
        devices.push({ ...ingest, kind: 'device_token', deviceId, deviceIdHash });
      }
      const [subject, ...others] = devices as [Principal, ...Principal[]];
      // Raw events kept 30 days, so the worker's retention pass keeps all 20 days seeded here.
      await deps.pool.query('UPDATE apps SET raw_event_retention_days = 30 WHERE id = $1', [app.app.id]);
      await createPartitionsAhead(deps.pool, 10);
      const today = Math.floor(Date.now() / DAY) * DAY;
      // 20 days of the subject (4,000 events a day) among three other devices (500 a day each).
      const writer = createEventWriter(deps.pool);
      for (let day = 0; day < DAYS; day++) {
        const rows: EventRow[] = devices.flatMap((d, i) =>
          Array.from({ length: i === 0 ? 4000 : 500 }, (_, n) => ({
            orgId: org.org.id,
            appId: app.app.id,
            id: randomUUID(),
            occurredAt: today - (DAYS - 1 - day) * DAY + n * 1000,
            receivedAt: Date.now(),
            type: 'screen_view',
            name: `s${n % 9}`,
            deviceId: d.deviceIdHash!,
            sessionId: `${d.deviceIdHash!.slice(0, 8)}-${day}`,
          })),
        );
        await writer.write(rows);
        for (const d of devices) {
          await deps.pool.query(
            `INSERT INTO sessions (org_id, app_id, id, device_id, started_at, duration_ms) VALUES ($1, $2, $3, $4, $5, 60000)`,
            [
              org.org.id,
              app.app.id,
              `${d.deviceIdHash!.slice(0, 8)}-${day}`,
              d.deviceIdHash,
              new Date(today - (DAYS - 1 - day) * DAY),
            ],
          );
        }
      }
      const othersNow = async () => {
        const hashes = others.map((o) => o.deviceIdHash!);
        const { rows } = await deps.pool.query<{ events: number; sessions: number; devices: number; tokens: number }>(
          `SELECT (SELECT count(*)::int FROM events WHERE device_id = ANY($1)) AS events,
                  (SELECT count(*)::int FROM sessions WHERE device_id = ANY($1)) AS sessions,
                  (SELECT count(*)::int FROM devices WHERE device_id_hash = ANY($1)) AS devices,
                  (SELECT count(*)::int FROM device_tokens WHERE device_id IN (SELECT id FROM devices WHERE device_id_hash = ANY($1))) AS tokens`,
          [hashes],
        );
        return rows[0]!;
      };
      const subjectEvents = async () =>
        (
          await deps.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE device_id = $1', [
            subject.deviceIdHash,
          ])
        ).rows[0]!.n;
      const before = await othersNow();
      expect(before).toEqual({ events: 3 * 500 * DAYS, sessions: 3 * DAYS, devices: 3, tokens: 3 });
      expect(await subjectEvents()).toBe(4000 * DAYS);

      // Hold one of the subject's rows on day 12, so the worker is certainly mid-delete when killed.
      await locker.query('BEGIN');
      await locker.query(
        `SELECT 1 FROM events WHERE device_id = $1 AND occurred_at >= $2 AND occurred_at < $3 LIMIT 1 FOR UPDATE`,
        [subject.deviceIdHash, new Date(today - (DAYS - 13) * DAY), new Date(today - (DAYS - 14) * DAY)],
      );
      const { id } = await requestDeviceDeletion(deps.prisma, subject);
      await deps.privacyQueue.enqueueDeletion(id, org.org.id);
      const first = startWorker();
      const progress = () => deps.prisma.gdprRequest.findUniqueOrThrow({ where: { id } });
      await until(async () => {
        const { rows } = await deps.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()
             AND wait_event_type = 'Lock' AND query LIKE 'DELETE FROM "events_%'`,
        );
        return rows[0]!.n > 0 ? true : undefined;
      }, 60);
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      // Released before anything reads the parent table, so no DDL queued behind the lock can stall the test.
      await locker.query('ROLLBACK');
      const midway = await progress();
      expect(midway.status).toBe('RUNNING');
      expect((midway.progress as { done: string[] }).done).toEqual(['device_tokens']);
      expect((midway.progress as { partitions: string[] }).partitions.length).toBeGreaterThanOrEqual(10);
      const left = await subjectEvents();
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThan(4000 * DAYS);

      startWorker();
      const done = await until(async () => {
        const request = await progress();
        return request.status === 'COMPLETED' ? request : undefined;
      }, 90);
      expect(done.completedAt).not.toBeNull();
      // Nothing of the subject is left in any table holding a device id, but its request's status.
      const { rows: columns } = await deps.pool.query<{ table: string; column: string }>(
        `SELECT table_name AS table, column_name AS column FROM information_schema.columns
         WHERE table_schema = current_schema() AND column_name IN ('device_id', 'device_id_hash', 'subject_key')
           AND table_name NOT LIKE 'events_p%' AND data_type = 'text'`,
      );
      const holding: string[] = [];
      for (const { table, column } of columns) {
        const { rows } = await deps.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM "${table}" WHERE "${column}" = $1`,
          [subject.deviceIdHash],
        );
        if (rows[0]!.n > 0) holding.push(`${table}.${column}`);
      }
      expect(holding).toEqual(['gdpr_requests.subject_key']);
      expect(await deps.prisma.device.count({ where: { id: subject.deviceId! } })).toBe(0);
      expect(await othersNow()).toEqual(before);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      locker.release();
      for (const w of workers) w.kill('SIGKILL');
      await deps.close();
      await db.drop();
    }
  }, 180_000);
});

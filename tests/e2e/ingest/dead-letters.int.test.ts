import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDeadLetterStore, type DeadLetter } from '@sightline/core';
import { until } from '@sightline/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestStack } from '../support/ingest-stack.ts';

// Dead letters an operator can inspect and replay: `npx sightline dead-letters list|replay`
// (the real CLI, as a process) against the real writers, Redis and PostgreSQL.

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../../apps/api/bin/sightline.mjs', import.meta.url));

let stack: Awaited<ReturnType<typeof startIngestStack>>;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: {
        ...process.env,
        DATABASE_URL: stack.db.url,
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        REDIS_PREFIX: stack.deps.namespace,
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const buffered = (session: string, ...events: Array<[id: string, screen: string]>) =>
  JSON.stringify({
    o: stack.org.org.id,
    a: stack.app.app.id,
    r: Date.now(),
    e: events.map(([id, screen]) => [
      id,
      Date.now() - 3000,
      'screen_view',
      screen,
      'dl-device',
      session,
      ...Array<null>(9).fill(null),
      '{}',
    ]),
  });

const storedScreens = async (session: string) =>
  (
    await stack.deps.pool.query<{ name: string }>('SELECT name FROM events WHERE session_id = $1 ORDER BY name', [
      session,
    ])
  ).rows.map((r) => r.name);

beforeAll(async () => {
  stack = await startIngestStack('com.example.deadletters');
});

afterAll(async () => {
  await stack?.close();
});

describe('sightline dead-letters', () => {
  it('lists dead letters with stream, id, kind, reason, time and size, and replays them', async () => {
    const store = createDeadLetterStore(stack.deps.redis, stack.deps.namespace);
    // A request PostgreSQL refused at the time (say, before a fix): kept whole, storable now.
    const fixedSession = randomUUID();
    const fixedPayload = buffered(fixedSession, [randomUUID(), 'recovered']);
    await store.push(
      {
        id: 'events/1700000000000-0',
        stream: 'events',
        kind: 'refused',
        reason: 'was refused',
        entry: '1700000000000-0',
      },
      fixedPayload,
    );
    // An event the writer refuses now, dead-lettered by the real writer.
    const badSession = randomUUID();
    const entry = await stack.deps.redis.xadd(
      `${stack.deps.namespace}:ingest:events`,
      '*',
      'b',
      buffered(badSession, [randomUUID(), 'fine'], ['not-a-uuid', 'poison']),
    );
    await until(async () => ((await store.count()) === 2 ? true : undefined), 20);

    const listed = await cli('dead-letters', 'list', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    const { count, deadLetters } = JSON.parse(listed.stdout) as { count: number; deadLetters: DeadLetter[] };
    expect(count).toBe(2);
    expect(deadLetters).toEqual([
      expect.objectContaining({
        id: `events/${entry}#1`,
        stream: 'events',
        kind: 'refused',
        reason: expect.stringMatching(/uuid/) as unknown,
        at: expect.any(String) as unknown,
        size: expect.any(Number) as unknown,
        eventId: 'not-a-uuid',
      }),
      expect.objectContaining({ id: 'events/1700000000000-0', size: Buffer.byteLength(fixedPayload) }),
    ]);
    const limited = await cli('dead-letters', 'list', '--limit', '1');
    expect(limited.stdout).toContain(`events/${entry}#1`);
    expect(limited.stdout).not.toContain('1700000000000-0');
    expect(limited.stdout).toMatch(/2 dead letters \(newest 1 shown\)/);

    const one = await cli('dead-letters', 'replay', '--id', 'events/1700000000000-0', '--json');
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({
      replayed: 1,
      outcomes: [{ id: 'events/1700000000000-0', status: 'replayed' }],
    });
    expect(
      await until(async () =>
        (await storedScreens(fixedSession)).length > 0 ? storedScreens(fixedSession) : undefined,
      ),
    ).toEqual(['recovered']);
    expect((await store.list()).map((l) => l.id)).toEqual([`events/${entry}#1`]);

    const missing = await cli('dead-letters', 'replay', '--id', 'events/1700000000000-0', '--json');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'NOT_FOUND' } });

    // Replaying the poison event again: it leaves the list, fails again and comes back with its reason.
    const all = await cli('dead-letters', 'replay');
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/1 dead letter re-appended/);
    const back = await until(async () => {
      const letters = await store.list();
      return letters.length === 1 && letters[0]?.id !== `events/${entry}#1` ? letters[0] : undefined;
    }, 20);
    expect(back).toMatchObject({
      eventId: 'not-a-uuid',
      kind: 'refused',
      reason: expect.stringMatching(/uuid/) as unknown,
    });
    expect(await storedScreens(badSession)).toEqual(['fine']);
  });

  it('caps the list by count and by payload bytes, oldest dropped, payloads with them', async () => {
    const namespace = `${stack.deps.namespace}-cap`;
    const push = (store: ReturnType<typeof createDeadLetterStore>, i: number, bytes: number) =>
      store.push(
        { id: `crashes/${i}-0`, stream: 'crashes', kind: 'refused', reason: `r${i}`, entry: `${i}-0` },
        'x'.repeat(bytes),
      );
    const byCount = createDeadLetterStore(stack.deps.redis, namespace, { maxCount: 3, maxBytes: 1_000_000 });
    for (let i = 1; i <= 5; i++) await push(byCount, i, 10);
    expect((await byCount.list()).map((l) => l.id)).toEqual(['crashes/5-0', 'crashes/4-0', 'crashes/3-0']);
    expect(await byCount.payload('crashes/1-0')).toBeNull();
    expect(await push(byCount, 5, 10)).toBe(false);
    expect(await byCount.count()).toBe(3);
    await stack.deps.redis.del(byCount.key, `${byCount.key}:payloads`, `${byCount.key}:bytes`);

    const byBytes = createDeadLetterStore(stack.deps.redis, namespace, { maxCount: 100, maxBytes: 2_500 });
    for (let i = 1; i <= 4; i++) await push(byBytes, i, 1_000);
    expect((await byBytes.list()).map((l) => l.id)).toEqual(['crashes/4-0', 'crashes/3-0']);
    expect(await stack.deps.redis.get(`${byBytes.key}:bytes`)).toBe('2000');
    expect(await byBytes.payload('crashes/2-0')).toBeNull();
    await push(byBytes, 9, 5_000);
    expect((await byBytes.list())[0]).toMatchObject({ id: 'crashes/9-0', dropped: true, size: 0 });
    expect(await byBytes.replay(['crashes/9-0'])).toEqual([{ id: 'crashes/9-0', status: 'not_kept' }]);
    expect((await byBytes.list()).map((l) => l.id)).toContain('crashes/9-0');
    await stack.deps.redis.del(byBytes.key, `${byBytes.key}:payloads`, `${byBytes.key}:bytes`);
  });
});

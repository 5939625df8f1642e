import { createDeadLetterStore } from '@sightline/core';
import { createTestOrg } from '@sightline/core/testing';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServerDeps } from '../http/testing.ts';
import { createCallerFactory } from './init.ts';
import { appRouter } from './router.ts';

// The platform admin page's dead letters: listed without payloads, replayed by a platform
// admin only, through the real router, Redis and PostgreSQL.

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let admin: Awaited<ReturnType<typeof createTestOrg>>;
let owner: Awaited<ReturnType<typeof createTestOrg>>;

const callerFor = (userId: string) => createCallerFactory(appRouter)({ deps, userId, ip: '198.51.100.7' });

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
  admin = await createTestOrg(deps.prisma);
  owner = await createTestOrg(deps.prisma);
  await deps.prisma.user.update({ where: { id: admin.owner.id }, data: { isPlatformAdmin: true } });
});

afterAll(async () => {
  await deps?.close();
  await db?.drop();
});

describe('admin dead letters', () => {
  it('lists them without payloads and replays one to its stream, for platform admins only', async () => {
    const store = createDeadLetterStore(deps.redis, deps.ingest.buffer);
    const payload = JSON.stringify({
      id: '0b7f3c4e-5d6a-4b8c-9d0e-1f2a3b4c5d6e',
      orgId: owner.org.id,
      secret: 'telemetry',
    });
    await store.push(
      {
        id: 'crashes/1700000000000-0',
        stream: 'crashes',
        kind: 'refused',
        reason: 'was refused',
        entry: '1700000000000-0',
      },
      payload,
    );

    const listed = await callerFor(admin.owner.id).admin.deadLetters({ limit: 10 });
    expect(listed).toEqual({
      count: 1,
      letters: [
        expect.objectContaining({
          id: 'crashes/1700000000000-0',
          stream: 'crashes',
          kind: 'refused',
          reason: 'was refused',
        }),
      ],
    });
    expect(JSON.stringify(listed)).not.toContain('telemetry');

    const refused = await callerFor(owner.owner.id)
      .admin.replayDeadLetters({ id: 'crashes/1700000000000-0' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TRPCError);
    expect((refused as TRPCError).code).toBe('FORBIDDEN');
    expect(await store.count()).toBe(1);

    const replayed = await callerFor(admin.owner.id).admin.replayDeadLetters({ id: 'crashes/1700000000000-0' });
    expect(replayed).toEqual([
      { id: 'crashes/1700000000000-0', status: 'replayed', entry: expect.any(String) as unknown },
    ]);
    const entries = await deps.redis.xrange(deps.ingest.buffer.crashStream, '-', '+');
    expect(entries.map(([, fields]) => fields[1])).toEqual([payload]);
    expect(await callerFor(admin.owner.id).admin.deadLetters({ limit: 10 })).toEqual({ count: 0, letters: [] });
    await deps.redis.del(deps.ingest.buffer.crashStream);
  });
});

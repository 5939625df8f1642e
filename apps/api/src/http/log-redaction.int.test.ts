import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from './server.ts';
import { createTestServerDeps } from './testing.ts';

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url);
});

afterAll(async () => {
  await deps.close();
  await db.drop();
});

describe('api request log', () => {
  it('never holds the signature of a signed export or status link', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const api = await buildServer({ ...deps, log: pino({ level: 'info' }, sink) });
    try {
      const sig = 'f00dfeedc0ffee0123456789abcdef0123456789abcdef0123456789abcdef01';
      const id = '0b7f3c4e-5d6a-4b8c-9d0e-1f2a3b4c5d6e';
      for (const url of [
        `/v1/privacy/exports/${id}?expires=1999999999&sig=${sig}`,
        `/v1/privacy/requests/${id}?sig=${sig}`,
        `/v1/privacy/requests/${id}?%73ig=${sig}`,
      ])
        expect((await api.inject({ method: 'GET', url })).statusCode).toBe(404);
      const log = lines.join('');
      expect(log).toContain(`/v1/privacy/exports/${id}?expires=1999999999&sig=`);
      expect(log).toContain(`/v1/privacy/requests/${id}?sig=`);
      expect(log).not.toContain(sig);
    } finally {
      await api.close();
    }
  });
});

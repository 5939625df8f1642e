import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { redisServerArgs } from '../../../../scripts/redis-config.mjs';
import { startOwnRedis, type OwnRedis } from '../testing/index.ts';
import { inspectRedisPersistence, warnIfRedisNotDurable } from './persistence.ts';

// The api and the worker check the Redis they are given: each case is a real redis-server
// of the test's own, started the way an operator might have started it.

let server: OwnRedis | undefined;
let client: Redis | undefined;

afterEach(async () => {
  client?.disconnect();
  await server?.destroy();
});

async function inspect(argsFor: Parameters<typeof startOwnRedis>[0]) {
  server = await startOwnRedis(argsFor);
  client = new Redis(server.url);
  return inspectRedisPersistence(client);
}

describe('inspectRedisPersistence', () => {
  it('finds nothing to warn about in the configuration npm start uses', async () => {
    expect(await inspect(redisServerArgs)).toEqual({
      appendonly: 'yes',
      appendfsync: 'everysec',
      save: '',
      maxmemoryPolicy: 'noeviction',
      warnings: [],
    });
  });

  it('warns, naming what is lost and the fix, when persistence is off, and logs it at error level', async () => {
    const persistence = await inspect(({ port, dir }) => [
      '--port',
      String(port),
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
    expect(persistence).toMatchObject({ appendonly: 'no', save: '', maxmemoryPolicy: 'noeviction' });
    expect(persistence.warnings).toHaveLength(1);
    expect(persistence.warnings[0]).toMatch(/persistence is off.*acknowledged event.*appendonly yes/);

    const lines: Array<{ level: string; message: string }> = [];
    const log = {
      error: (_: object, message: string) => lines.push({ level: 'error', message }),
      warn: (_: object, message: string) => lines.push({ level: 'warn', message }),
    };
    await warnIfRedisNotDurable(client!, log);
    expect(lines).toEqual([{ level: 'error', message: persistence.warnings[0] }]);
  });

  it('reads INFO when CONFIG is disabled (managed Redis) and warns about eviction', async () => {
    const persistence = await inspect(({ port, dir }) => [
      '--port',
      String(port),
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'allkeys-lru',
      '--rename-command',
      'CONFIG',
      '',
    ]);
    expect(persistence).toMatchObject({ appendonly: 'no', save: 'unknown', maxmemoryPolicy: 'allkeys-lru' });
    expect(persistence.warnings).toEqual([
      expect.stringMatching(/without AOF/),
      expect.stringMatching(/allkeys-lru.*evicts.*noeviction/),
    ]);
  });
});

import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startOwnRedis, type OwnRedis } from '@sightline/core/testing';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from './commands/doctor/finding.ts';
import { runCli } from './testing.ts';

// `sightline doctor` against real services: a healthy installation (Redis with AOF and
// noeviction, a migrated database, SMTP and the public URLs answering) and a misconfigured one
// (Redis without AOF, a database missing its last migration).

let healthyDb: TestDatabase;
let brokenDb: TestDatabase;
let durableRedis: OwnRedis;
let volatileRedis: OwnRedis;
let web: Server;
let webUrl: string;
const smtp = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'] });
let smtpUrl: string;

beforeAll(async () => {
  [healthyDb, brokenDb, durableRedis, volatileRedis] = await Promise.all([
    createTestDatabase('sightline_doctor'),
    createTestDatabase('sightline_doctor'),
    startOwnRedis(({ port, dir }) => [
      '--port',
      String(port),
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'no',
    ]),
    startOwnRedis(({ port, dir }) => [
      '--port',
      String(port),
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
    ]),
  ]);
  const client = new pg.Client({ connectionString: brokenDb.url });
  await client.connect();
  await client.query(
    `DELETE FROM "_prisma_migrations" WHERE migration_name = (SELECT max(migration_name) FROM "_prisma_migrations")`,
  );
  await client.end();
  // Stands in for the api and the portal at their public addresses.
  web = createServer((req, res) => res.writeHead(req.url === '/healthz' || req.url === '/' ? 200 : 404).end('ok'));
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await Promise.all([durableRedis?.destroy(), volatileRedis?.destroy(), healthyDb?.drop(), brokenDb?.drop()]);
  await new Promise((resolve) => web?.close(resolve));
  await new Promise((resolve) => smtp.close(() => resolve(undefined)));
});

const env = (overrides: Record<string, string>) => ({
  SIGHTLINE_SECRET: randomBytes(32).toString('hex'),
  HOST: '127.0.0.1',
  PUBLIC_API_URL: webUrl,
  PUBLIC_WEB_URL: webUrl,
  SMTP_URL: smtpUrl,
  ...overrides,
});

const byCheck = (findings: Finding[]) => new Map(findings.map((f) => [f.check, f]));

describe('sightline doctor', { timeout: 180_000 }, () => {
  it('exits 0 on a healthy installation, every finding ok or a warning with a fix', async () => {
    const result = await runCli(
      ['doctor', '--json'],
      env({ DATABASE_URL: healthyDb.url, REDIS_URL: durableRedis.url }),
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; findings: Finding[] };
    expect(report.ok).toBe(true);
    const checks = byCheck(report.findings);
    for (const check of [
      'config',
      'secret',
      'public-api-url',
      'postgres',
      'postgres-version',
      'migrations',
      'redis',
      'redis-persistence',
      'redis-eviction',
      'smtp',
      'api-reachable',
      'web-reachable',
    ]) {
      expect(checks.get(check), check).toMatchObject({ status: 'ok', fix: null });
    }
    // Sign-up open on a portal only this machine reaches is fine.
    expect(checks.get('signup')).toMatchObject({ status: 'ok', message: 'SIGNUP=open' });
    expect(checks.get('disk')?.message).toMatch(/% free/);
    for (const f of report.findings) {
      expect(['ok', 'warn'], `${f.check}: ${f.message}`).toContain(f.status);
      if (f.status === 'warn') expect(f.fix, f.check).toBeTruthy();
    }
  });

  it('exits 1 on a misconfigured one, naming Redis without AOF and the pending migration, with fixes', async () => {
    const overrides = { DATABASE_URL: brokenDb.url, REDIS_URL: volatileRedis.url };
    const result = await runCli(['doctor', '--json'], env(overrides));
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; findings: Finding[] };
    expect(report.ok).toBe(false);
    const checks = byCheck(report.findings);
    expect(checks.get('redis-persistence')).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/appendonly no/) as string,
      fix: expect.stringMatching(/appendonly yes/) as string,
    });
    expect(checks.get('migrations')).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/1 migration\(s\) pending: \d{14}_/) as string,
      fix: expect.stringMatching(/npx sightline migrate/) as string,
    });
    expect(checks.get('redis-eviction')?.status).toBe('ok');

    // The human form: one line per check, errors marked, each with its fix.
    const human = await runCli(['doctor'], env(overrides));
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(
      /^ERROR redis-persistence +Redis runs with appendonly no.* — fix: set appendonly yes/m,
    );
    expect(human.stdout).toMatch(/^ERROR migrations +1 migration\(s\) pending.* — fix: run `npx sightline migrate`/m);
    expect(human.stdout).toMatch(/^ok +redis +connected/m);
    expect(human.stdout).toMatch(/2 error\(s\)/);
  });

  it('reports a broken configuration, a guessable secret, unreachable services and public localhost URLs', async () => {
    const unreachable = 'redis://127.0.0.1:1';
    const [badConfig, weak] = await Promise.all([
      runCli(
        ['doctor', '--json'],
        env({ DATABASE_URL: healthyDb.url, REDIS_URL: durableRedis.url, SIGNUP: 'sometimes' }),
      ),
      runCli(
        ['doctor', '--json'],
        env({
          DATABASE_URL: healthyDb.url.replace(/\/[^/]+$/, '/sightline_missing_test'),
          REDIS_URL: unreachable,
          SIGHTLINE_SECRET: 'ab'.repeat(16),
          HOST: '0.0.0.0',
          PUBLIC_API_URL: 'http://localhost:4000',
          PUBLIC_WEB_URL: 'https://sightline.example.test',
          SMTP_URL: 'smtp://127.0.0.1:1',
        }),
      ),
    ]);
    expect(badConfig.code).toBe(1);
    const config = byCheck((JSON.parse(badConfig.stdout) as { findings: Finding[] }).findings).get('config');
    expect(config).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/SIGNUP: must be open, invite or closed/) as string,
    });

    expect(weak.code).toBe(1);
    const checks = byCheck((JSON.parse(weak.stdout) as { findings: Finding[] }).findings);
    expect(checks.get('secret')).toMatchObject({
      status: 'error',
      fix: expect.stringMatching(/openssl rand -hex 32/) as string,
    });
    expect(checks.get('postgres')).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/does not exist/) as string,
    });
    expect(checks.get('redis')).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/cannot reach Redis/) as string,
    });
    expect(checks.get('smtp')).toMatchObject({ status: 'error', fix: expect.stringMatching(/SMTP_URL/) as string });
    expect(checks.get('public-api-url')).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/HOST=0\.0\.0\.0/) as string,
    });
    expect(checks.get('signup')).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/SIGNUP=open and the portal is public/) as string,
      fix: expect.stringMatching(/SIGNUP=invite/) as string,
    });
  });
});

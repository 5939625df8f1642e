import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { hashKey } from '@sightline/core';
import { dropTestDatabase, serverUrl } from '@sightline/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/sightline.mjs', import.meta.url));
// A database the CLI itself must create: `migrate` on a server that lacks it.
const dbName = `sightline_cli_${randomBytes(4).toString('hex')}_test`;
const DATABASE_URL = serverUrl(dbName);

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, DATABASE_URL, PUBLIC_API_URL: 'http://127.0.0.1:4000' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function sql<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  // Two shells migrating at once, on a server without the database yet.
  const [a, b] = await Promise.all([cli('migrate', '--json'), cli('migrate', '--json')]);
  expect(a.code, a.stderr).toBe(0);
  expect(b.code, b.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await dropTestDatabase(dbName);
});

describe('sightline CLI', { timeout: 180_000 }, () => {
  it('migrate from two shells at once leaves each migration applied exactly once', async () => {
    const rows = await sql<{ migration_name: string; n: string }>(
      `SELECT migration_name, count(*) AS n FROM "_prisma_migrations" GROUP BY 1`,
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.n === '1')).toBe(true);
    const again = await cli('migrate', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ applied: [] });
  });

  it('creates an org, an app and an API key, printing ids and keys once, storing the sk_ secret only hashed', async () => {
    const org = await cli('create-org', '--name', 'Acme Games', '--owner-email', 'Owner@Acme.test', '--owner-password', 'hunter2-but-longer', '--json');
    expect(org.code, org.stderr).toBe(0);
    const orgOut = JSON.parse(org.stdout) as { org: { id: string; slug: string }; owner: { email: string } };
    expect(orgOut.org.slug).toBe('acme-games');
    expect(orgOut.owner.email).toBe('owner@acme.test');

    const app = await cli('create-app', '--org', orgOut.org.id, '--name', 'Calculator', '--bundle-id', 'com.acme.calc', '--json');
    expect(app.code, app.stderr).toBe(0);
    const appOut = JSON.parse(app.stdout) as { app: { id: number }; ingestKey: string; dsn: string };
    expect(appOut.app.id).toBeGreaterThan(0);
    expect(appOut.ingestKey).toMatch(/^pk_[A-Za-z0-9]+$/);
    expect(appOut.dsn).toBe(`http://${appOut.ingestKey}@127.0.0.1:4000/${appOut.app.id}`);

    const key = await cli('create-api-key', '--org', orgOut.org.id, '--name', 'CI', '--scopes', 'read,write', '--json');
    expect(key.code, key.stderr).toBe(0);
    const keyOut = JSON.parse(key.stdout) as { apiKey: { id: string; scopes: string[] }; secret: string };
    expect(keyOut.secret).toMatch(/^sk_[A-Za-z0-9]+$/);
    expect(keyOut.apiKey.scopes).toEqual(['read', 'write']);

    const [storedKey] = await sql<{ key_hash: string; prefix: string }>(`SELECT key_hash, prefix FROM api_keys WHERE id = $1`, [keyOut.apiKey.id]);
    expect(storedKey?.key_hash).toBe(hashKey(keyOut.secret));
    const [storedIngest] = await sql<{ key_hash: string; plaintext: string | null }>(
      `SELECT key_hash, plaintext FROM ingest_keys WHERE app_id = $1`,
      [appOut.app.id],
    );
    expect(storedIngest?.key_hash).toBe(hashKey(appOut.ingestKey));
    // The pk_ key is public (it sits in web pages), so the portal can show it again; it is kept in
    // that one column only. The sk_ secret appears nowhere.
    expect(storedIngest?.plaintext).toBe(appOut.ingestKey);
    const leaks = await sql<{ n: string }>(
      `SELECT count(*) AS n FROM (SELECT row_to_json(t)::text AS j FROM api_keys t
         UNION ALL SELECT (to_jsonb(t) - 'plaintext')::text FROM ingest_keys t
         UNION ALL SELECT row_to_json(t)::text FROM audit_logs t) s WHERE j LIKE '%' || $1 || '%' OR j LIKE '%' || $2 || '%'`,
      [keyOut.secret.slice(3), appOut.ingestKey.slice(3)],
    );
    expect(leaks[0]?.n).toBe('0');
    const [owner] = await sql<{ password_hash: string }>(`SELECT password_hash FROM users WHERE email = 'owner@acme.test'`);
    expect(owner?.password_hash).toMatch(/^\$argon2id\$/);

    const human = await cli('create-app', '--org', orgOut.org.id, '--name', 'Shop', '--bundle-id', 'com.acme.shop');
    expect(human.stdout).toMatch(/app id:\s+\d+/);
    expect(human.stdout).toMatch(/Sentry DSN:\s+http:\/\/pk_/);
  });

  it('explains bad input and unknown ids without a stack trace', async () => {
    const missing = await cli('create-org', '--name', 'X', '--json');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toEqual({ error: { code: 'BAD_REQUEST', message: '--owner-email is required' } });

    const weak = await cli('create-org', '--name', 'X', '--owner-email', 'x@example.test', '--owner-password', 'short');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/ownerPassword is too weak: use at least 10 characters/);

    const unknownOrg = await cli('create-app', '--org', '00000000-0000-4000-8000-000000000000', '--name', 'A', '--bundle-id', 'a.b');
    expect(unknownOrg.stderr).toMatch(/organization .* not found/);
    const badScope = await cli('create-api-key', '--org', '00000000-0000-4000-8000-000000000000', '--name', 'k', '--scopes', 'read,root');
    expect(badScope.stderr).toMatch(/unknown scope root/);
    const unknownCommand = await cli('launch-rockets');
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toMatch(/unknown command/);
    for (const r of [missing, weak, unknownOrg, badScope]) expect(r.stderr).not.toMatch(/\n[ \t]+at /);
  });

  it('refuses a second app with the same bundle id in one org', async () => {
    const org = JSON.parse((await cli('create-org', '--name', 'Dup', '--owner-email', 'dup@example.test', '--owner-password', 'another-long-pass', '--json')).stdout) as { org: { id: string } };
    expect((await cli('create-app', '--org', org.org.id, '--name', 'A', '--bundle-id', 'com.dup.a')).code).toBe(0);
    const again = await cli('create-app', '--org', org.org.id, '--name', 'B', '--bundle-id', 'com.dup.a', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ error: { code: 'CONFLICT' } });
  });
});

import { migrationStatus } from '@sightline/db/migrations';
import pg from 'pg';
import { error, ok, reason, warn, withTimeout, type Finding } from './finding.ts';

const MIN_VERSION = 150000;
const MIB = 1024 * 1024;

export interface PostgresReport {
  findings: Finding[];
  /** The server's data directory when it is on this machine (for the disk check). */
  dataDirectory?: string;
}

const LOCAL_HOSTS = new Set(['', 'localhost', '127.0.0.1', '::1', '[::1]']);

/** Reachable, version, settings worth a warning, and migrations. */
export async function checkPostgres(url: string): Promise<PostgresReport> {
  const where = describe(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await withTimeout(6_000, `PostgreSQL at ${where}`, client.connect());
  } catch (e) {
    const missing = (e as { code?: unknown }).code === '3D000';
    return {
      findings: [
        missing
          ? error(
              'postgres',
              `the database of DATABASE_URL (${where}) does not exist`,
              'run `npx sightline migrate` (it creates the database)',
            )
          : error(
              'postgres',
              `cannot connect to PostgreSQL at ${where}: ${reason(e)}`,
              'start PostgreSQL, or correct DATABASE_URL (host, port, user, password, database)',
            ),
      ],
    };
  }
  try {
    const settings = await readSettings(client);
    const findings = [ok('postgres', `connected to ${where}`), versionFinding(settings), ...settingsFindings(settings)];
    findings.push(await migrationsFinding(url));
    const local = LOCAL_HOSTS.has(new URL(url).hostname);
    return { findings, ...(local && settings.data_directory ? { dataDirectory: settings.data_directory } : {}) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** host:port/database, without the password. */
function describe(url: string): string {
  const u = new URL(url);
  return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname}`;
}

type Settings = Partial<
  Record<'server_version' | 'server_version_num' | 'max_connections' | 'shared_buffers' | 'data_directory', string>
>;

async function readSettings(client: pg.Client): Promise<Settings> {
  // pg_settings in bytes-free units; data_directory is visible to superusers and pg_read_all_settings only.
  const { rows } = await client.query<{ name: keyof Settings; setting: string }>(
    `SELECT name, CASE WHEN name = 'shared_buffers' THEN (setting::bigint * 8192)::text ELSE setting END AS setting
       FROM pg_settings WHERE name IN ('server_version', 'server_version_num', 'max_connections', 'shared_buffers', 'data_directory')`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
}

function versionFinding(s: Settings): Finding {
  const num = Number(s.server_version_num ?? 0);
  return num >= MIN_VERSION
    ? ok('postgres-version', `PostgreSQL ${s.server_version ?? num}`)
    : error(
        'postgres-version',
        `PostgreSQL ${s.server_version ?? num} is older than 15, which Sightline needs`,
        'upgrade PostgreSQL to 15 or newer (pg_upgrade, or dump and restore: docs/upgrades.md)',
      );
}

function settingsFindings(s: Settings): Finding[] {
  const findings: Finding[] = [];
  const maxConnections = Number(s.max_connections ?? 0);
  findings.push(
    maxConnections > 0 && maxConnections < 100
      ? warn(
          'postgres-max-connections',
          `max_connections is ${maxConnections}: api, worker and portal pools together can need more`,
          'set max_connections = 100 or more in postgresql.conf and restart PostgreSQL',
        )
      : ok('postgres-max-connections', `max_connections is ${maxConnections}`),
  );
  const sharedBuffers = Number(s.shared_buffers ?? 0);
  findings.push(
    sharedBuffers > 0 && sharedBuffers < 256 * MIB
      ? warn(
          'postgres-shared-buffers',
          `shared_buffers is ${Math.round(sharedBuffers / MIB)} MB (the small default): dashboards read more from disk`,
          'set shared_buffers to about 25 % of RAM in postgresql.conf and restart PostgreSQL (docs/sizing.md)',
        )
      : ok('postgres-shared-buffers', `shared_buffers is ${Math.round(sharedBuffers / MIB)} MB`),
  );
  return findings;
}

async function migrationsFinding(url: string): Promise<Finding> {
  try {
    const status = await migrationStatus(url);
    const troubled = [...status.failed, ...status.edited];
    if (status.pending.length > 0) {
      return error(
        'migrations',
        `${status.pending.length} migration(s) pending: ${status.pending.join(', ')}`,
        'run `npx sightline migrate` (before starting the new release)',
      );
    }
    if (troubled.length > 0) {
      return error(
        'migrations',
        `migration(s) failed or edited after being applied: ${troubled.join(', ')}`,
        'see `npx sightline migrate --status` and docs/upgrades.md',
      );
    }
    return ok('migrations', `all ${status.applied.length} migrations applied`);
  } catch (e) {
    return error(
      'migrations',
      `could not read the migrations table: ${reason(e)}`,
      'check that DATABASE_URL points at the Sightline database',
    );
  }
}

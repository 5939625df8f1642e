import { loadDoctorEnv } from '../../../env.ts';
import { EXIT, type CommandContext } from '../../command.ts';
import { checkConfiguration } from './config.ts';
import type { Finding } from './finding.ts';
import { checkDisk, checkPublicUrls, checkSmtp } from './host.ts';
import { checkPostgres } from './postgres.ts';
import { checkRedis } from './redis.ts';

const LABEL = { ok: 'ok   ', warn: 'WARN ', error: 'ERROR' } as const;

/** Every check; the independent ones at once, so a dead host costs one timeout, not several. */
export async function runDoctor(): Promise<Finding[]> {
  const env = loadDoctorEnv();
  const reach = env.server ?? env.cli;
  const [postgres, redis, smtp, urls] = await Promise.all([
    reach
      ? checkPostgres(reach.DATABASE_URL)
      : Promise.resolve({ findings: [] as Finding[], dataDirectory: undefined }),
    reach ? checkRedis(reach.REDIS_URL) : Promise.resolve([]),
    env.server ? checkSmtp(env.server.SMTP_URL).then((f) => [f]) : Promise.resolve([]),
    env.server ? checkPublicUrls(env.server.PUBLIC_API_URL, env.server.PUBLIC_WEB_URL) : Promise.resolve([]),
  ]);
  const dataDir = postgres.dataDirectory ?? env.pgData;
  const disk = await checkDisk(
    dataDir ?? process.cwd(),
    dataDir ? 'the PostgreSQL data directory' : 'the working directory',
  );
  return [...checkConfiguration(env), ...postgres.findings, ...redis, disk, ...smtp, ...urls];
}

export async function doctorCommand(ctx: CommandContext): Promise<number> {
  const findings = await runDoctor();
  const errors = findings.filter((f) => f.status === 'error').length;
  const warnings = findings.filter((f) => f.status === 'warn').length;
  const width = Math.max(...findings.map((f) => f.check.length)) + 2;
  ctx.out.result({ ok: errors === 0, findings }, [
    ...findings.map((f) => `${LABEL[f.status]} ${f.check.padEnd(width)}${f.message}${f.fix ? ` — fix: ${f.fix}` : ''}`),
    '',
    errors > 0
      ? `${errors} error(s), ${warnings} warning(s): fix the errors before running Sightline for real.`
      : `No errors${warnings > 0 ? `, ${warnings} warning(s)` : ''}.`,
  ]);
  return errors > 0 ? EXIT.failed : EXIT.ok;
}

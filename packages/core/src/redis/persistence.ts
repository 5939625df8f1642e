import type { Redis } from 'ioredis';

// What the Redis we were given keeps across a restart. Redis holds acknowledged events (the
// ingestion stream), queued jobs (alert deliveries waiting for a retry, privacy requests) and
// the month's usage counters: without persistence a restart loses them, and with an eviction
// policy a full Redis drops them silently. Redis still works either way, so this warns
// (log + /readyz?detail=1) rather than refusing to start.

export interface RedisPersistence {
  /** 'yes' | 'no', or 'unknown' when Redis hides it. */
  appendonly: string;
  appendfsync: string;
  /** RDB snapshot schedule ('' = none), or 'unknown' (not in INFO on managed Redis). */
  save: string;
  maxmemoryPolicy: string;
  /** What is at risk and how to fix it; empty when Redis is durable and never evicts. */
  warnings: string[];
}

const FIX_PERSISTENCE =
  'run Redis with --appendonly yes --appendfsync everysec (or CONFIG SET appendonly yes), or enable persistence in your managed Redis';

/** Reads `CONFIG GET`, falling back to INFO where CONFIG is disabled (managed Redis). */
export async function inspectRedisPersistence(redis: Redis): Promise<RedisPersistence> {
  const settings = await readConfig(redis).catch(() => readInfo(redis));
  return { ...settings, warnings: persistenceWarnings(settings) };
}

type Settings = Omit<RedisPersistence, 'warnings'>;

async function readConfig(redis: Redis): Promise<Settings> {
  const reply = (await redis.call(
    'CONFIG',
    'GET',
    'appendonly',
    'appendfsync',
    'save',
    'maxmemory-policy',
  )) as string[];
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < reply.length; i += 2) values.set(String(reply[i]), String(reply[i + 1]));
  return {
    appendonly: values.get('appendonly') ?? 'unknown',
    appendfsync: values.get('appendfsync') ?? 'unknown',
    save: values.get('save') ?? 'unknown',
    maxmemoryPolicy: values.get('maxmemory-policy') ?? 'unknown',
  };
}

async function readInfo(redis: Redis): Promise<Settings> {
  const info = await redis.info().catch(() => '');
  const field = (name: string): string | undefined => {
    const start = info.indexOf(`\n${name}:`);
    if (start < 0) return undefined;
    const from = start + name.length + 2;
    const end = info.indexOf('\n', from);
    return info.slice(from, end < 0 ? undefined : end).trim();
  };
  const aof = field('aof_enabled');
  return {
    appendonly: aof === '1' ? 'yes' : aof === '0' ? 'no' : 'unknown',
    appendfsync: 'unknown',
    save: 'unknown',
    maxmemoryPolicy: field('maxmemory_policy') ?? 'unknown',
  };
}

export function persistenceWarnings(s: Settings): string[] {
  const warnings: string[] = [];
  const snapshots = s.save !== '' && s.save !== 'unknown';
  if (s.appendonly === 'no' && !snapshots && s.save !== 'unknown') {
    warnings.push(
      `Redis persistence is off (appendonly no, no RDB snapshots): a Redis restart loses every acknowledged event not yet written to PostgreSQL, alert deliveries waiting for a retry and this month's usage counters; ${FIX_PERSISTENCE}`,
    );
  } else if (s.appendonly === 'no') {
    warnings.push(
      `Redis runs without AOF (appendonly no${snapshots ? `, RDB snapshots "${s.save}"` : ''}): a Redis restart loses acknowledged events, queued alert deliveries and usage counts since the last snapshot; ${FIX_PERSISTENCE}`,
    );
  } else if (s.appendonly === 'unknown') {
    warnings.push(
      `Redis persistence is unknown (CONFIG and INFO do not say): make sure AOF is on (appendonly yes, appendfsync everysec), or acknowledged events and queued jobs are lost on a Redis restart`,
    );
  } else if (s.appendfsync === 'no') {
    warnings.push(
      'Redis AOF is on but appendfsync is "no": a power cut can lose tens of seconds of acknowledged events; set appendfsync everysec',
    );
  }
  if (s.maxmemoryPolicy === 'unknown') {
    warnings.push(
      'Redis maxmemory-policy is unknown: it must be noeviction, or a full Redis silently drops queued events and jobs',
    );
  } else if (s.maxmemoryPolicy !== 'noeviction') {
    warnings.push(
      `Redis maxmemory-policy is ${s.maxmemoryPolicy}: when Redis fills up it evicts keys — acknowledged events, queued jobs and usage counters — silently; set maxmemory-policy noeviction (ingestion then answers 503 instead)`,
    );
  }
  return warnings;
}

/** At start: one error line per risk, so an operator sees it without asking /readyz. */
export async function warnIfRedisNotDurable(
  redis: Redis,
  log: { error(details: object, message: string): void; warn(details: object, message: string): void },
): Promise<RedisPersistence | undefined> {
  try {
    const persistence = await inspectRedisPersistence(redis);
    const { warnings, ...settings } = persistence;
    for (const warning of warnings) log.error({ redis: settings }, warning);
    return persistence;
  } catch (error) {
    log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not check Redis persistence');
    return undefined;
  }
}

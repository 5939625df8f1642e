import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { BUFFER_STREAM_NAMES, BUFFER_STREAMS, bufferStreamKeys, type BufferStreamName } from '../data-kinds/streams.ts';
import { encodeCrashRecord } from './codec/crashes.ts';
import { encodeEventBatch, type BufferedBatch } from './codec/events.ts';
import type { CrashRecord } from './crash.ts';

export type { BufferedBatch } from './codec/events.ts';

// The ingestion buffer: a Redis stream holding one entry per accepted request. Rate limits,
// the org's monthly quota, backpressure and the append happen in one Lua script — one round
// trip per request, and nothing is counted unless it was stored.

export const EVENTS_STREAM = BUFFER_STREAMS.events.key;
export const CRASHES_STREAM = BUFFER_STREAMS.crashes.key;
export const WRITER_GROUP = 'writers';
export const DEAD_LETTERS = 'ingest:dead';

/**
 * The append script's KEYS by name, in order: their positions are written down here only (the
 * Lua reads them through the names appendLayout generates). The per-limiter (current,
 * previous) window keys follow them.
 */
const APPEND_KEYS = [
  ...BUFFER_STREAM_NAMES.map((name) => `stream_${name}` as const),
  ...BUFFER_STREAM_NAMES.map((name) => `bytes_${name}` as const),
  'accepted',
  'crash_count',
  'dropped',
] as const;

/** The append script's fixed ARGV by name, in order; the limiters' limits and one payload per crash report follow. */
const APPEND_ARGS = [
  'events_payload',
  'events_count',
  'dropped_before',
  'event_quota',
  'crash_quota',
  'max_len',
  'max_bytes',
  'elapsed_per_mille',
  'window_s',
  'limiter_count',
] as const;

type AppendKeys = Record<(typeof APPEND_KEYS)[number], string>;
type AppendArgs = Record<(typeof APPEND_ARGS)[number], string | number>;

/** Lua locals naming each position: `K_STREAM_EVENTS = 1`, `A_EVENTS_COUNT = 2`, … */
function appendLayout(): string {
  const locals = (prefix: string, names: readonly string[]) =>
    names.map((name, i) => `local ${prefix}${name.toUpperCase()} = ${i + 1}`).join('\n');
  return [
    locals('K_', APPEND_KEYS),
    locals('A_', APPEND_ARGS),
    `local FIRST_LIMITER_KEY = ${APPEND_KEYS.length + 1}`,
    `local FIRST_LIMIT_ARG = ${APPEND_ARGS.length + 1}`,
  ].join('\n');
}

// The script is written for the two kinds BUFFER_STREAMS holds today (events: one payload
// counting n events; crash reports: one payload each), not looped over the list: each kind
// has its own quota rule, and a generic loop would cost table building in Lua on every
// request. Its KEYS and ARGV come from the named lists above, so a new stream adds its keys
// there and its quota and XADD here.
const APPEND_LUA = `
${appendLayout()}
local n = tonumber(ARGV[A_EVENTS_COUNT])
local limiters = tonumber(ARGV[A_LIMITER_COUNT])
local elapsed = tonumber(ARGV[A_ELAPSED_PER_MILLE]) / 1000
local window = tonumber(ARGV[A_WINDOW_S])
local first_crash = FIRST_LIMIT_ARG + limiters
local crashes = #ARGV - first_crash + 1
for i = 0, limiters - 1 do
  local limit = tonumber(ARGV[FIRST_LIMIT_ARG + i])
  local curr = tonumber(redis.call('GET', KEYS[FIRST_LIMITER_KEY + i * 2]) or '0')
  local prev = tonumber(redis.call('GET', KEYS[FIRST_LIMITER_KEY + 1 + i * 2]) or '0')
  if prev * (1 - elapsed) + curr + 1 > limit then
    return {-1, i, math.ceil(window * (1 - elapsed))}
  end
end
-- Events and crash reports each have a monthly quota: over one, that kind is refused (and
-- counted as rejected) while the other still goes through.
local dropped = tonumber(ARGV[A_DROPPED_BEFORE])
local refused = 0
if n > 0 and tonumber(redis.call('GET', KEYS[K_ACCEPTED]) or '0') + n > tonumber(ARGV[A_EVENT_QUOTA]) then
  refused = 1
  dropped = dropped + n
  n = 0
end
if crashes > 0 and tonumber(redis.call('GET', KEYS[K_CRASH_COUNT]) or '0') + crashes > tonumber(ARGV[A_CRASH_QUOTA]) then
  refused = refused + 2
  dropped = dropped + crashes
  crashes = 0
end
if refused > 0 and n == 0 and crashes == 0 then
  redis.call('INCRBY', KEYS[K_DROPPED], dropped)
  redis.call('EXPIRE', KEYS[K_DROPPED], 3456000)
  return {-2, refused, 0}
end
-- The backlog in bytes (what the writers have not stored yet) must leave Redis room.
local bytes = 0
if n > 0 then bytes = #ARGV[A_EVENTS_PAYLOAD] end
if crashes > 0 then
  for i = first_crash, #ARGV do bytes = bytes + #ARGV[i] end
end
if (n > 0 and redis.call('XLEN', KEYS[K_STREAM_EVENTS]) >= tonumber(ARGV[A_MAX_LEN])) or
   (crashes > 0 and redis.call('XLEN', KEYS[K_STREAM_CRASHES]) >= tonumber(ARGV[A_MAX_LEN])) or
   tonumber(redis.call('GET', KEYS[K_BYTES_EVENTS]) or '0') + tonumber(redis.call('GET', KEYS[K_BYTES_CRASHES]) or '0') + bytes > tonumber(ARGV[A_MAX_BYTES]) then
  return {-3, 0, 0}
end
for i = 0, limiters - 1 do
  redis.call('INCR', KEYS[FIRST_LIMITER_KEY + i * 2])
  redis.call('EXPIRE', KEYS[FIRST_LIMITER_KEY + i * 2], window * 2)
end
if dropped > 0 then
  redis.call('INCRBY', KEYS[K_DROPPED], dropped)
  redis.call('EXPIRE', KEYS[K_DROPPED], 3456000)
end
local id = ''
if n > 0 then
  redis.call('INCRBY', KEYS[K_ACCEPTED], n)
  redis.call('EXPIRE', KEYS[K_ACCEPTED], 3456000)
  redis.call('INCRBY', KEYS[K_BYTES_EVENTS], #ARGV[A_EVENTS_PAYLOAD])
  id = redis.call('XADD', KEYS[K_STREAM_EVENTS], '*', 'b', ARGV[A_EVENTS_PAYLOAD])
end
if crashes > 0 then
  redis.call('INCRBY', KEYS[K_CRASH_COUNT], crashes)
  redis.call('EXPIRE', KEYS[K_CRASH_COUNT], 3456000)
  for i = first_crash, #ARGV do
    redis.call('INCRBY', KEYS[K_BYTES_CRASHES], #ARGV[i])
    id = redis.call('XADD', KEYS[K_STREAM_CRASHES], '*', 'b', ARGV[i])
  end
end
return {1, id, refused}
`;

export interface RateLimit {
  /** What is limited, e.g. `key:<credential id>`, `device:<app>:<device>`, `ip:<address>`. */
  subject: string;
  /** Requests per window. */
  limit: number;
}

export type AppendOutcome =
  /**
   * `eventsRefused`: the events were over their quota while the request's crash reports were
   * stored; `crashesRefused`: the other way round.
   */
  | { status: 'stored'; entryId: string; eventsRefused?: 'over_quota'; crashesRefused?: 'over_quota' }
  | { status: 'rate_limited'; subject: string; retryAfter: number }
  /** Everything the request carried was over its kind's monthly quota; the flags say which kinds. */
  | { status: 'over_quota'; events: boolean; crashes: boolean }
  | { status: 'buffer_full' };

/** Payload bytes the writers have not stored yet, per stream: the api's append adds, the writers' ack subtracts. */
export const backlogBytesKey = (stream: string): string => `${stream}:bytes`;

/** Without a configured budget and without a Redis maxmemory: 512 MB of buffered payload. */
export const DEFAULT_MAX_BACKLOG_BYTES = 512 * 1024 * 1024;

/**
 * The backlog's byte budget: the configured one, else half of Redis' maxmemory (the other
 * half is for queues, caches, counters and the stream's own overhead), else 512 MB.
 */
export async function resolveMaxBacklogBytes(redis: Redis, configured?: number): Promise<number> {
  if (configured) return configured;
  try {
    const maxmemory = Number(/^maxmemory:(\d+)/m.exec(await redis.info('memory'))?.[1] ?? 0);
    if (maxmemory > 0) return Math.floor(maxmemory / 2);
  } catch {
    // Redis not answering yet: the fixed default; the append itself answers 503 until it does.
  }
  return DEFAULT_MAX_BACKLOG_BYTES;
}

export interface IngestBufferOptions {
  /** Key namespace ('sightline' in production, unique per test). */
  namespace?: string;
  /** Entries the stream may hold before ingestion answers 503 (PostgreSQL far behind). */
  maxBacklog?: number;
  /** Buffered payload bytes (both streams) before ingestion answers 503, so Redis never fills up. */
  maxBacklogBytes?: number;
  windowSeconds?: number;
  now?: () => number;
}

type AppendReply = [number, number | string, number];

const APPEND_SHA = createHash('sha1').update(APPEND_LUA).digest('hex');

/** EVALSHA, loading the script once when Redis does not know it yet. */
async function runAppend(redis: Redis, keys: string[], args: Array<string | number>): Promise<AppendReply> {
  try {
    return (await redis.evalsha(APPEND_SHA, keys.length, ...keys, ...args)) as AppendReply;
  } catch (error) {
    if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
    return (await redis.eval(APPEND_LUA, keys.length, ...keys, ...args)) as AppendReply;
  }
}

/** Usage counters of an org for the month of `at` (UTC): the quota and the admin page read them. */
export function usageKeys(namespace: string, orgId: string, at: number) {
  const month = new Date(at).toISOString().slice(0, 7);
  return {
    accepted: `${namespace}:usage:${orgId}:${month}:accepted`,
    dropped: `${namespace}:usage:${orgId}:${month}:dropped`,
    crashes: `${namespace}:usage:${orgId}:${month}:crashes`,
  };
}

export function createIngestBuffer(redis: Redis, options: IngestBufferOptions = {}) {
  const namespace = options.namespace ?? 'sightline';
  const streams = bufferStreamKeys(namespace);
  const streamBytes = {} as Record<BufferStreamName, string>;
  for (const name of BUFFER_STREAM_NAMES) streamBytes[name] = backlogBytesKey(streams[name]);
  const maxBacklog = options.maxBacklog ?? 2_000_000;
  const maxBacklogBytes = options.maxBacklogBytes ?? DEFAULT_MAX_BACKLOG_BYTES;
  const window = options.windowSeconds ?? 60;
  const now = options.now ?? Date.now;

  // Every payload the api buffers passes its kind's codec: what PostgreSQL would refuse is
  // fixed there, before the 202.

  /** One run of the append script: limits, quota, backlog, then XADD of the events and crash reports. */
  async function appendEntry(entry: {
    orgId: string;
    batch: BufferedBatch | null;
    crashes: readonly CrashRecord[];
    quota: number;
    crashQuota: number;
    dropped: number;
    limits: RateLimit[];
  }): Promise<AppendOutcome> {
    const at = now();
    const windowIndex = Math.floor(at / 1000 / window);
    const elapsed = Math.floor(((at / 1000 / window) % 1) * 1000);
    const usage = usageKeys(namespace, entry.orgId, at);
    const limiterKeys = entry.limits.flatMap((l) => [
      `${namespace}:rl:${l.subject}:${windowIndex}`,
      `${namespace}:rl:${l.subject}:${windowIndex - 1}`,
    ]);
    const named: AppendKeys = {
      stream_events: streams.events,
      stream_crashes: streams.crashes,
      bytes_events: streamBytes.events,
      bytes_crashes: streamBytes.crashes,
      accepted: usage.accepted,
      crash_count: usage.crashes,
      dropped: usage.dropped,
    };
    const fixed: AppendArgs = {
      events_payload: entry.batch && entry.batch.e.length > 0 ? encodeEventBatch(entry.batch) : '',
      events_count: entry.batch?.e.length ?? 0,
      dropped_before: entry.dropped,
      event_quota: entry.quota,
      crash_quota: entry.crashQuota,
      max_len: maxBacklog,
      max_bytes: maxBacklogBytes,
      elapsed_per_mille: elapsed,
      window_s: window,
      limiter_count: entry.limits.length,
    };
    const keys = [...APPEND_KEYS.map((k) => named[k]), ...limiterKeys];
    const args = [
      ...APPEND_ARGS.map((a) => fixed[a]),
      ...entry.limits.map((l) => l.limit),
      ...entry.crashes.map(encodeCrashRecord),
    ];
    const reply = await runAppend(redis, keys, args);
    if (reply[0] === 1) {
      return {
        status: 'stored',
        entryId: String(reply[1]),
        ...((reply[2] & 1) === 1 ? { eventsRefused: 'over_quota' } : {}),
        ...((reply[2] & 2) === 2 ? { crashesRefused: 'over_quota' } : {}),
      };
    }
    if (reply[0] === -1) {
      return {
        status: 'rate_limited',
        subject: entry.limits[Number(reply[1])]?.subject ?? 'unknown',
        retryAfter: Math.max(1, reply[2]),
      };
    }
    if (reply[0] === -2) {
      const refused = Number(reply[1]);
      return { status: 'over_quota', events: (refused & 1) === 1, crashes: (refused & 2) === 2 };
    }
    return { status: 'buffer_full' };
  }

  return {
    /** Each buffered stream's key, by kind (the dead-letter store and health read them). */
    streams,
    /** The events stream's key. */
    stream: streams.events,
    /** The crash reports stream's key. */
    crashStream: streams.crashes,
    /** Buffered payload bytes (both streams) past which ingestion answers 503. */
    maxBacklogBytes,
    /** Entries the writers could not store, newest first, with the reason. */
    deadLetters: `${namespace}:${DEAD_LETTERS}`,
    /**
     * Appends one request's events unless a limit says no. `dropped` (events the pipeline
     * left out) count against nothing but are recorded as rejected.
     */
    async append(
      batch: BufferedBatch,
      input: { quota: number; limits: RateLimit[]; dropped: number },
    ): Promise<AppendOutcome> {
      return appendEntry({ orgId: batch.o, batch, crashes: [], crashQuota: 0, ...input });
    },
    /** Appends one crash report, within the org's monthly crash quota (not the event quota). */
    async appendCrash(report: CrashRecord, input: { limits: RateLimit[]; crashQuota: number }): Promise<AppendOutcome> {
      return appendEntry({
        orgId: report.orgId,
        batch: null,
        crashes: [report],
        quota: 0,
        dropped: 0,
        ...input,
      });
    },
    /**
     * Appends a request's events and crash reports in one step (a Sentry envelope): both or
     * neither, except that a kind over its monthly quota is refused while the other is kept.
     */
    async appendMixed(
      input: { orgId: string; batch: BufferedBatch | null; crashes: readonly CrashRecord[] },
      limits: { quota: number; crashQuota: number; limits: RateLimit[]; dropped: number },
    ): Promise<AppendOutcome> {
      return appendEntry({ ...input, ...limits });
    },
  };
}

export type IngestBuffer = ReturnType<typeof createIngestBuffer>;

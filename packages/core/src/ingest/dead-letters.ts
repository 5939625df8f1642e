import type { Redis } from 'ioredis';
import { bufferStreamKeys, isBufferStreamName, type BufferStreamName } from '../data-kinds/streams.ts';
import { backlogBytesKey, DEAD_LETTERS } from './buffer.ts';

// What the writers could not store, kept whole so an operator can look at it and replay it.
// The list holds small metadata records, newest first (`/readyz?detail=1` reads their
// `stream, id, kind, reason, at`); the payloads sit in a hash beside it, and a byte counter
// lets the list be capped by count AND by payload bytes, oldest dropped first.

export const DEFAULT_DEAD_LETTER_MAX_COUNT = 10_000;
export const DEFAULT_DEAD_LETTER_MAX_BYTES = 64 * 1024 * 1024;

/** The buffer stream a letter came from (and a replay appends it to). */
export type DeadLetterStream = BufferStreamName;

export interface DeadLetter {
  /** `<stream>/<entry id>`, or `<stream>/<entry id>#<event index>` for one event of a request. */
  id: string;
  stream: DeadLetterStream;
  /** `unreadable`: not a buffered payload at all; `refused`: PostgreSQL refused it. */
  kind: 'unreadable' | 'refused';
  reason: string;
  at: string;
  /** The buffer entry it came from. */
  entry: string;
  /** For one event of a request: its index in the request and its id. */
  index?: number;
  eventId?: string;
  /** Payload bytes (what a replay re-appends). */
  size: number;
  /** The payload was larger than the whole byte cap: it was not kept and cannot be replayed. */
  dropped?: true;
}

const PUSH_LUA = `
-- KEYS: list, payloads, bytes; ARGV: id, meta, payload, size, max count, max bytes
-- The same letter twice (a writer retried the batch after a crash) is kept once.
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[3]) == 0 then return 0 end
redis.call('LPUSH', KEYS[1], ARGV[2])
local bytes = redis.call('INCRBY', KEYS[3], tonumber(ARGV[4]))
local n = redis.call('LLEN', KEYS[1])
local maxCount = tonumber(ARGV[5])
local maxBytes = tonumber(ARGV[6])
while n > 1 and (n > maxCount or bytes > maxBytes) do
  local old = redis.call('RPOP', KEYS[1])
  local ok, meta = pcall(cjson.decode, old)
  if ok and type(meta) == 'table' and type(meta.id) == 'string' then
    redis.call('HDEL', KEYS[2], meta.id)
    bytes = redis.call('DECRBY', KEYS[3], tonumber(meta.size) or 0)
  end
  n = n - 1
end
return 1
`;

const TAKE_LUA = `
-- KEYS: list, payloads, bytes, stream, the stream's backlog bytes; ARGV: meta (exact), id, size
-- Removed from the list and re-appended in one step: two replays of one letter append it once.
-- The stream's backlog byte counter grows by what is appended, as the api's append does: the
-- writers' acknowledgement subtracts it again.
-- A letter without its payload (over the byte cap, or kept by an older version) stays listed.
local payload = redis.call('HGET', KEYS[2], ARGV[2])
if not payload or payload == '' then
  if redis.call('LPOS', KEYS[1], ARGV[1]) == false then return false end
  return ''
end
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return false end
redis.call('HDEL', KEYS[2], ARGV[2])
redis.call('DECRBY', KEYS[3], tonumber(ARGV[3]))
redis.call('INCRBY', KEYS[5], #payload)
return redis.call('XADD', KEYS[4], '*', 'b', payload)
`;

const PURGE_LUA = `
-- KEYS: list, payloads, bytes; ARGV: meta (exact), id, size
-- Gone from the list, its payload and its bytes in one step (a replay may be taking it too).
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[2], ARGV[2])
redis.call('DECRBY', KEYS[3], tonumber(ARGV[3]))
return 1
`;

/**
 * Whose dead letters a GDPR deletion purges: an app's subject (its devices' stored hashed
 * ids and, for a user subject, the app's user id), or all of the app's (`all`).
 */
export interface DeadLetterSubject {
  orgId: string;
  appId: number;
  devices: readonly string[];
  userId: string | null;
  all?: boolean;
}

/**
 * The org and app a payload was buffered for: events batches say `o`/`a`, crash reports
 * `orgId`/`appId`, in every format version (a version field changes neither).
 */
function payloadOwner(payload: string): { orgId: unknown; appId: unknown } | null {
  try {
    const parsed = JSON.parse(payload) as { o?: unknown; a?: unknown; orgId?: unknown; appId?: unknown } | null;
    if (!parsed || typeof parsed !== 'object') return null;
    if ('o' in parsed) return { orgId: parsed.o, appId: parsed.a };
    if ('orgId' in parsed) return { orgId: parsed.orgId, appId: parsed.appId };
    return null;
  } catch {
    return null;
  }
}

/**
 * Does a letter hold anything about the subject? Identifiers are matched as the JSON strings
 * the payload holds, within the subject's app. A payload whose app cannot be read (an
 * unreadable entry) is matched on the device hashes alone: salted per app, they name one
 * device anywhere, while a user id such as "42" may be another app's user.
 */
function concerns(subject: DeadLetterSubject, raw: string, payload: string | null): boolean {
  const text = `${raw}\n${payload ?? ''}`;
  const owner = payload ? payloadOwner(payload) : null;
  const hashes = subject.devices.map((d) => JSON.stringify(d));
  if (!owner) return !subject.all && hashes.some((h) => text.includes(h));
  if (owner.orgId !== subject.orgId || owner.appId !== subject.appId) return false;
  if (subject.all) return true;
  const ids = subject.userId === null ? hashes : [...hashes, JSON.stringify(subject.userId)];
  return ids.some((id) => text.includes(id));
}

export interface DeadLetterLimits {
  maxCount?: number;
  maxBytes?: number;
}

export type ReplayOutcome =
  | { id: string; status: 'replayed'; entry: string }
  | { id: string; status: 'gone' }
  | { id: string; status: 'not_kept' };

function parseLetter(raw: string): DeadLetter | null {
  try {
    const letter = JSON.parse(raw) as Partial<DeadLetter> & { payload?: unknown };
    if (typeof letter.id !== 'string' || !isBufferStreamName(letter.stream)) return null;
    return {
      id: letter.id,
      stream: letter.stream,
      kind: letter.kind === 'unreadable' ? 'unreadable' : 'refused',
      reason: String(letter.reason ?? ''),
      at: String(letter.at ?? ''),
      entry: String(letter.entry ?? letter.id),
      ...(typeof letter.index === 'number' ? { index: letter.index } : {}),
      ...(typeof letter.eventId === 'string' ? { eventId: letter.eventId } : {}),
      size: typeof letter.size === 'number' ? letter.size : 0,
      ...(letter.dropped ? { dropped: true as const } : {}),
    };
  } catch {
    return null;
  }
}

/** The keys the store works on; an IngestBuffer has them (the api passes its buffer). */
export interface DeadLetterKeys {
  deadLetters: string;
  /** Each buffer stream's key, by kind. */
  streams: Record<BufferStreamName, string>;
}

/** `namespace`: the installation's REDIS_PREFIX, or the keys of an ingest buffer. */
export function createDeadLetterStore(redis: Redis, namespace: string | DeadLetterKeys, limits: DeadLetterLimits = {}) {
  const keys: DeadLetterKeys =
    typeof namespace === 'string'
      ? { deadLetters: `${namespace}:${DEAD_LETTERS}`, streams: bufferStreamKeys(namespace) }
      : namespace;
  const list = keys.deadLetters;
  const payloads = `${list}:payloads`;
  const bytes = `${list}:bytes`;
  const maxCount = limits.maxCount ?? DEFAULT_DEAD_LETTER_MAX_COUNT;
  const maxBytes = limits.maxBytes ?? DEFAULT_DEAD_LETTER_MAX_BYTES;
  const { streams } = keys;

  /** Newest first, with the raw record (the replay removes that exact record). */
  async function listRaw(limit: number): Promise<Array<{ raw: string; letter: DeadLetter }>> {
    const raws = await redis.lrange(list, 0, limit <= 0 ? -1 : limit - 1);
    return raws.flatMap((raw) => {
      const letter = parseLetter(raw);
      return letter ? [{ raw, letter }] : [];
    });
  }

  return {
    /**
     * Removes every letter that holds anything about a deleted subject (a GDPR deletion):
     * payloads keep device hashes and user ids for as long as the list keeps them. Answers
     * how many went.
     */
    async purgeSubject(subject: DeadLetterSubject): Promise<number> {
      const letters = await listRaw(0);
      let purged = 0;
      for (let i = 0; i < letters.length; i += 500) {
        const chunk = letters.slice(i, i + 500);
        if (chunk.length === 0) break;
        const bodies = await redis.hmget(payloads, ...chunk.map((l) => l.letter.id));
        for (const [j, { raw, letter }] of chunk.entries()) {
          if (!concerns(subject, raw, bodies[j] ?? null)) continue;
          purged += Number(await redis.eval(PURGE_LUA, 3, list, payloads, bytes, raw, letter.id, letter.size));
        }
      }
      return purged;
    },
    /** The Redis list (health reads its newest records). */
    key: list,
    /** Keeps a letter and its payload; drops the oldest beyond the count or byte cap. False: already kept. */
    async push(
      letter: Omit<DeadLetter, 'at' | 'size' | 'dropped'> & { at?: string },
      payload: string,
    ): Promise<boolean> {
      const size = Buffer.byteLength(payload);
      const kept = size <= maxBytes;
      const meta: DeadLetter = {
        ...letter,
        at: letter.at ?? new Date().toISOString(),
        size: kept ? size : 0,
        ...(kept ? {} : { dropped: true as const }),
      };
      const record = JSON.stringify(meta);
      const added = await redis.eval(
        PUSH_LUA,
        3,
        list,
        payloads,
        bytes,
        meta.id,
        record,
        kept ? payload : '',
        meta.size,
        maxCount,
        maxBytes,
      );
      return added === 1;
    },
    async count(): Promise<number> {
      return redis.llen(list);
    },
    /** Newest first; `limit` 0 lists all. */
    async list(limit = 100): Promise<DeadLetter[]> {
      return (await listRaw(limit)).map((l) => l.letter);
    },
    async payload(id: string): Promise<string | null> {
      return redis.hget(payloads, id);
    },
    /**
     * Re-appends letters to their stream (events and crash reports are idempotent on their
     * ids, so a replay of something stored meanwhile adds nothing) and removes them from the
     * list. One that fails again comes back, with its new reason, once a writer has read it.
     */
    async replay(ids?: readonly string[]): Promise<ReplayOutcome[]> {
      const all = await listRaw(0);
      const wanted = ids ? new Set(ids) : null;
      const outcomes: ReplayOutcome[] = [];
      for (const { raw, letter } of all.reverse()) {
        if (wanted && !wanted.delete(letter.id)) continue;
        const added = (await redis.eval(
          TAKE_LUA,
          5,
          list,
          payloads,
          bytes,
          streams[letter.stream],
          backlogBytesKey(streams[letter.stream]),
          raw,
          letter.id,
          letter.size,
        )) as string | null;
        if (added === null) outcomes.push({ id: letter.id, status: 'gone' });
        else if (added === '') outcomes.push({ id: letter.id, status: 'not_kept' });
        else outcomes.push({ id: letter.id, status: 'replayed', entry: added });
      }
      for (const id of wanted ?? []) outcomes.push({ id, status: 'gone' });
      return outcomes;
    },
  };
}

export type DeadLetterStore = ReturnType<typeof createDeadLetterStore>;

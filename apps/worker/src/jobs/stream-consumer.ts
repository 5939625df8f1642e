import { createHash } from 'node:crypto';
import { backlogBytesKey, type Logger } from '@sightline/core';
import type { Redis } from 'ioredis';

// A Redis-stream consumer-group loop shared by the writers: read a batch, hand it to
// `handle`, acknowledge (and delete) only after `handle` resolved. Entries a crashed process
// left unacknowledged are claimed back after `claimIdleMs`; a failing batch is retried with
// backoff, never acknowledged — unless the error is poison (bad data): then the batch is
// split in halves until the entry at fault is alone, and that entry is dead-lettered.
//
// A batch is bounded in bytes as well as entries: XREADGROUP's COUNT cannot bound bytes, so a
// script takes entries one at a time inside Redis until the byte budget is reached (the entry
// that reaches it is the last), leaving the rest in the stream for the next round. The ack
// subtracts the stored entries' bytes from the backlog counter the api's append adds to.

/** Takes entries one by one until `max_entries` or `max_bytes`: [id, payload, bytes, …]. */
const TAKE_LUA = `
-- KEYS[1] stream; ARGV: group, consumer, mode (own | claim | new), max_entries, max_bytes, min_idle_ms
local out = {}
local taken, bytes, scans = 0, 0, 0
local cursor = '0-0'
local mode = ARGV[3]
while taken < tonumber(ARGV[4]) and bytes < tonumber(ARGV[5]) and scans < 10000 do
  scans = scans + 1
  local entry
  if mode == 'claim' then
    local r = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[6], cursor, 'COUNT', 1)
    cursor = r[1]
    entry = r[2][1]
    if not entry and cursor == '0-0' then break end
  else
    local r = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', 1, 'STREAMS', KEYS[1],
      mode == 'own' and cursor or '>')
    entry = r and r[1] and r[1][2][1]
    if not entry then break end
    cursor = entry[1]
  end
  if entry then
    -- An entry deleted while pending has no fields: handed over empty, acknowledged unread.
    local payload = (type(entry[2]) == 'table' and entry[2][2]) or ''
    out[#out + 1] = entry[1]
    out[#out + 1] = payload
    out[#out + 1] = #payload
    taken = taken + 1
    bytes = bytes + #payload
  end
  if mode == 'claim' and cursor == '0-0' then break end
end
return out
`;

/** Acknowledges and deletes entries; subtracts the bytes of those this call acknowledged. */
const ACK_LUA = `
-- KEYS[1] stream, KEYS[2] backlog bytes; ARGV: group, then (id, bytes) pairs
local freed = 0
for i = 2, #ARGV, 2 do
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 then freed = freed + tonumber(ARGV[i + 1]) end
  redis.call('XDEL', KEYS[1], ARGV[i])
end
local left = redis.call('DECRBY', KEYS[2], freed)
-- An empty stream holds no bytes: this also heals a counter that drifted (entries removed by hand).
if left < 0 or redis.call('XLEN', KEYS[1]) == 0 then redis.call('SET', KEYS[2], 0) end
return left
`;

const sha = (script: string): string => createHash('sha1').update(script).digest('hex');
const SCRIPTS = { take: { lua: TAKE_LUA, sha: sha(TAKE_LUA) }, ack: { lua: ACK_LUA, sha: sha(ACK_LUA) } };

async function runScript(
  redis: Redis,
  script: { lua: string; sha: string },
  key: string[],
  args: Array<string | number>,
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, key.length, ...key, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
    return redis.eval(script.lua, key.length, ...key, ...args);
  }
}

export interface StreamEntry {
  id: string;
  /** The entry's single payload field. */
  payload: string;
}

export interface StreamConsumerOptions {
  redis: Redis;
  stream: string;
  group: string;
  consumer: string;
  log: Logger;
  handle(entries: StreamEntry[]): Promise<void>;
  /** An error that retrying cannot fix (bad data): the batch is bisected down to the entry at fault. */
  isPoison?(error: unknown): boolean;
  /** Where that entry goes; it is then acknowledged with the rest. */
  deadLetter?(entry: StreamEntry, reason: string): Promise<void>;
  batchEntries?: number;
  /** Payload bytes per batch: entries are taken until this is reached (at least one entry). */
  batchBytes?: number;
  blockMs?: number;
  claimIdleMs?: number;
  maxBackoffMs?: number;
}

type RawEntries = Array<[string, string[] | null]>;

/** An entry with its size in Redis, which the ack subtracts from the backlog counter. */
interface TakenEntry extends StreamEntry {
  bytes: number;
}

function toTaken(flat: unknown): TakenEntry[] {
  const items = Array.isArray(flat) ? (flat as Array<string | number>) : [];
  const out: TakenEntry[] = [];
  for (let i = 0; i + 2 < items.length; i += 3) {
    out.push({ id: String(items[i]), payload: String(items[i + 1]), bytes: Number(items[i + 2]) });
  }
  return out;
}

export function startStreamConsumer(options: StreamConsumerOptions) {
  const { redis, stream, group, consumer, log } = options;
  const count = options.batchEntries ?? 200;
  const batchBytes = options.batchBytes ?? 4 * 1024 * 1024;
  const bytesKey = backlogBytesKey(stream);
  const blockMs = options.blockMs ?? 1_000;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let stopped = false;
  let lastClaim = 0;

  async function ensureGroup(): Promise<void> {
    try {
      await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
    } catch (error) {
      if (!(error instanceof Error && error.message.includes('BUSYGROUP'))) throw error;
    }
  }

  async function take(mode: 'own' | 'claim' | 'new', maxEntries: number, maxBytes: number): Promise<TakenEntry[]> {
    return toTaken(
      await runScript(redis, SCRIPTS.take, [stream], [group, consumer, mode, maxEntries, maxBytes, claimIdleMs]),
    );
  }

  async function next(): Promise<TakenEntry[]> {
    // Our own pending entries first (a handle that failed), then abandoned ones, then new.
    const pending = await take('own', count, batchBytes);
    if (pending.length > 0) return pending;
    if (Date.now() - lastClaim >= Math.min(claimIdleMs, 5_000)) {
      lastClaim = Date.now();
      // Entries another (dead) consumer read but never acknowledged.
      const claimed = await take('claim', count, batchBytes);
      if (claimed.length > 0) return claimed;
    }
    // Scripts cannot block: wait for one new entry, then top the batch up without waiting.
    const fresh = (await redis.xreadgroup(
      'GROUP',
      group,
      consumer,
      'COUNT',
      1,
      'BLOCK',
      blockMs,
      'STREAMS',
      stream,
      '>',
    )) as Array<[string, RawEntries]> | null;
    const first = fresh?.[0]?.[1]?.[0];
    if (!first) return [];
    const payload = first[1]?.[1] ?? '';
    const head: TakenEntry = { id: first[0], payload, bytes: Buffer.byteLength(payload) };
    if (count <= 1 || head.bytes >= batchBytes) return [head];
    return [head, ...(await take('new', count - 1, batchBytes - head.bytes))];
  }

  /** Handles the entries; on a poison error, halves them until the bad entry stands alone. */
  async function handleIsolating(entries: StreamEntry[]): Promise<void> {
    try {
      await options.handle(entries);
    } catch (error) {
      if (!options.isPoison?.(error) || !options.deadLetter) throw error;
      const [only] = entries;
      if (entries.length === 1 && only) {
        await options.deadLetter(only, error instanceof Error ? error.message : String(error));
        return;
      }
      const middle = Math.ceil(entries.length / 2);
      await handleIsolating(entries.slice(0, middle));
      await handleIsolating(entries.slice(middle));
    }
  }

  const done = (async () => {
    let backoff = 250;
    while (!stopped) {
      try {
        await ensureGroup();
        const entries = await next();
        if (entries.length === 0) continue;
        const readable = entries.filter((e) => e.payload !== '');
        if (readable.length > 0) await handleIsolating(readable);
        await runScript(redis, SCRIPTS.ack, [stream, bytesKey], [group, ...entries.flatMap((e) => [e.id, e.bytes])]);
        backoff = 250;
      } catch (error) {
        log.warn(
          { err: error instanceof Error ? error.message : String(error), stream, retryInMs: backoff },
          'stream batch failed; retrying',
        );
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(maxBackoff, backoff * 2);
      }
    }
  })();

  return {
    async close(): Promise<void> {
      stopped = true;
      await done;
    },
  };
}

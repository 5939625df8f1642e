import type { Logger } from '@sightline/core';
import type { Redis } from 'ioredis';

// A Redis-stream consumer-group loop shared by the writers: read a batch, hand it to
// `handle`, acknowledge (and delete) only after `handle` resolved. Entries a crashed process
// left unacknowledged are claimed back after `claimIdleMs`; a failing batch is retried with
// backoff, never acknowledged — unless the error is poison (bad data): then the batch is
// split in halves until the entry at fault is alone, and that entry is dead-lettered.

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
  blockMs?: number;
  claimIdleMs?: number;
  maxBackoffMs?: number;
}

type RawEntries = Array<[string, string[]]>;

const toEntries = (raw: RawEntries | null | undefined): StreamEntry[] =>
  (raw ?? []).map(([id, fields]) => ({ id, payload: fields[1] ?? '' }));

export function startStreamConsumer(options: StreamConsumerOptions) {
  const { redis, stream, group, consumer, log } = options;
  const count = options.batchEntries ?? 200;
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

  /** Entries another (dead) consumer read but never acknowledged. */
  async function claimAbandoned(): Promise<StreamEntry[]> {
    const reply = (await redis.xautoclaim(stream, group, consumer, claimIdleMs, '0-0', 'COUNT', count)) as [
      string,
      RawEntries,
    ];
    return toEntries(reply[1]).filter((e) => e.payload !== '');
  }

  async function next(): Promise<StreamEntry[]> {
    // Our own pending entries first (a handle that failed), then abandoned ones, then new.
    const own = (await redis.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'STREAMS', stream, '0')) as Array<
      [string, RawEntries]
    > | null;
    const pending = toEntries(own?.[0]?.[1]);
    if (pending.length > 0) return pending;
    if (Date.now() - lastClaim >= Math.min(claimIdleMs, 5_000)) {
      lastClaim = Date.now();
      const claimed = await claimAbandoned();
      if (claimed.length > 0) return claimed;
    }
    const fresh = (await redis.xreadgroup(
      'GROUP',
      group,
      consumer,
      'COUNT',
      count,
      'BLOCK',
      blockMs,
      'STREAMS',
      stream,
      '>',
    )) as Array<[string, RawEntries]> | null;
    return toEntries(fresh?.[0]?.[1]);
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
        await handleIsolating(entries);
        const ids = entries.map((e) => e.id);
        await redis
          .multi()
          .xack(stream, group, ...ids)
          .xdel(stream, ...ids)
          .exec();
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

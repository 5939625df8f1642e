import { DEAD_LETTERS, type Logger } from '@sightline/core';
import type { Redis } from 'ioredis';
import type { StreamEntry } from './stream-consumer.ts';

/** How many dead letters are kept (oldest dropped): enough to diagnose, bounded in memory. */
export const MAX_DEAD_LETTERS = 10_000;

/**
 * PostgreSQL refusing the data itself (SQLSTATE class 22 data exception, 23 integrity
 * violation, 54 limit exceeded): retrying cannot help, so the batch is split to find the
 * entry at fault. Connection loss and the like are retried instead.
 */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54)/.test(code) && code !== '23505';
}

/** Moves an entry the writer cannot store to the dead-letter list, with the reason. */
export function createDeadLetterSink(deps: {
  redis: Redis;
  namespace: string;
  stream: 'events' | 'crashes';
  log: Logger;
  onDeadLetter?: (reason: string) => void;
}) {
  const list = `${deps.namespace}:${DEAD_LETTERS}`;
  return async (entry: StreamEntry, reason: string, kind: 'unreadable' | 'refused'): Promise<void> => {
    await deps.redis
      .multi()
      .lpush(
        list,
        JSON.stringify({
          stream: deps.stream,
          id: entry.id,
          kind,
          reason,
          payload: entry.payload.slice(0, 10_000),
          at: new Date().toISOString(),
        }),
      )
      .ltrim(list, 0, MAX_DEAD_LETTERS - 1)
      .exec();
    deps.onDeadLetter?.(kind);
    deps.log.error({ entryId: entry.id, stream: deps.stream, reason }, 'buffer entry moved to the dead-letter list');
  };
}

export type DeadLetterSink = ReturnType<typeof createDeadLetterSink>;

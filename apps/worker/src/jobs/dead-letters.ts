import { createDeadLetterStore, type BufferStreamName, type DeadLetterLimits, type Logger } from '@sightline/core';
import type { Redis } from 'ioredis';
import type { StreamEntry } from './stream-consumer.ts';

/**
 * PostgreSQL refusing the data itself (SQLSTATE class 22 data exception, 23 integrity
 * violation, 54 limit exceeded): retrying cannot help, so the batch is split to find the
 * entry at fault. Connection loss and the like are retried instead.
 */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54)/.test(code) && code !== '23505';
}

/** One event of a buffered request, dead-lettered alone: its own replayable payload. */
export interface RefusedEvent {
  index: number;
  eventId: string;
  /** A buffered batch holding only this event. */
  payload: string;
}

/**
 * Moves what the writer cannot store to the dead-letter list, with the reason and the whole
 * payload (capped by count and bytes in total, see createDeadLetterStore): a whole entry, or
 * one event of it when the rest of its request was stored.
 */
export function createDeadLetterSink(deps: {
  redis: Redis;
  namespace: string;
  stream: BufferStreamName;
  log: Logger;
  limits?: DeadLetterLimits;
  onDeadLetter?: (reason: string) => void;
}) {
  const store = createDeadLetterStore(deps.redis, deps.namespace, deps.limits);
  return async (
    entry: StreamEntry,
    reason: string,
    kind: 'unreadable' | 'refused',
    event?: RefusedEvent,
  ): Promise<void> => {
    const id = `${deps.stream}/${entry.id}${event ? `#${event.index}` : ''}`;
    await store.push(
      {
        id,
        stream: deps.stream,
        kind,
        reason,
        entry: entry.id,
        ...(event ? { index: event.index, eventId: event.eventId } : {}),
      },
      event ? event.payload : entry.payload,
    );
    deps.onDeadLetter?.(kind);
    deps.log.error(
      { deadLetter: id, stream: deps.stream, eventId: event?.eventId, reason },
      event ? 'event moved to the dead-letter list' : 'buffer entry moved to the dead-letter list',
    );
  };
}

export type DeadLetterSink = ReturnType<typeof createDeadLetterSink>;

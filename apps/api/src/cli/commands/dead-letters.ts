import { AppError, createDeadLetterStore, type DeadLetter, type DeadLetterStore } from '@sightline/core';
import { Redis } from 'ioredis';
import type { CommandContext } from '../command.ts';
import { intFlag } from './flags.ts';

// What the writers could not store: listed for an operator, and re-appended to its buffer
// stream on request (the writers store it idempotently, or dead-letter it again with why).

async function withDeadLetters<T>(ctx: CommandContext, fn: (store: DeadLetterStore) => Promise<T>): Promise<T> {
  const redis = new Redis(ctx.env.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect().catch((error: unknown) => {
      throw new AppError(
        'UNAVAILABLE',
        `Redis at ${ctx.env.REDIS_URL} does not answer: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    return await fn(createDeadLetterStore(redis, ctx.env.REDIS_PREFIX));
  } finally {
    redis.disconnect();
  }
}

const row = (l: DeadLetter) =>
  `${l.id.padEnd(36)} ${l.kind.padEnd(10)} ${l.at.padEnd(24)} ${String(l.size).padStart(9)}  ${l.reason}`;

export async function deadLettersListCommand(ctx: CommandContext): Promise<void> {
  const limit = intFlag(ctx, 'limit', 100);
  await withDeadLetters(ctx, async (store) => {
    const [count, letters] = await Promise.all([store.count(), store.list(limit)]);
    ctx.out.result({ count, deadLetters: letters }, [
      `${count} dead letter${count === 1 ? '' : 's'}${letters.length < count ? ` (newest ${letters.length} shown)` : ''}`,
      ...(letters.length > 0
        ? [`${'ID'.padEnd(36)} ${'KIND'.padEnd(10)} ${'TIME'.padEnd(24)} ${'BYTES'.padStart(9)}  REASON`]
        : []),
      ...letters.map(row),
    ]);
  });
}

export async function deadLettersReplayCommand(ctx: CommandContext): Promise<void> {
  const id = ctx.flags.id;
  if (id !== undefined && (typeof id !== 'string' || id.trim() === '')) {
    throw new AppError('BAD_REQUEST', '--id needs a dead letter id (see `sightline dead-letters list`)');
  }
  await withDeadLetters(ctx, async (store) => {
    const outcomes = await store.replay(typeof id === 'string' ? [id] : undefined);
    if (typeof id === 'string' && outcomes.every((o) => o.status === 'gone')) {
      throw new AppError('NOT_FOUND', `no dead letter ${id} (see \`sightline dead-letters list\`)`);
    }
    const replayed = outcomes.filter((o) => o.status === 'replayed').length;
    ctx.out.result({ replayed, outcomes }, [
      `${replayed} dead letter${replayed === 1 ? '' : 's'} re-appended to the buffer; one that fails again comes back to the list with its reason`,
      ...outcomes.map((o) =>
        o.status === 'replayed'
          ? `${o.id} → ${o.entry}`
          : `${o.id}: ${o.status === 'gone' ? 'already gone' : 'payload not kept (larger than the byte cap)'}`,
      ),
    ]);
  });
}

import { AppError } from '../../errors.ts';
import type { AppendOutcome } from '../buffer.ts';
import type { IngestTarget } from '../directory.ts';

// Last step, append: the buffer stores the batch (and checks the limits and quotas with
// it), or refuses. Nothing is acknowledged that was not stored: a refusal or an unreachable
// Redis becomes the HTTP answer the contract names.

/** Redis not answering is a 503 with Retry-After: nothing is acknowledged that was not stored. */
export async function buffered<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('UNAVAILABLE', 'the ingestion buffer is unavailable; retry shortly', [], 5);
  }
}

/** A refusal from the buffer as the HTTP answer the contract names. */
export function refuse(outcome: Exclude<AppendOutcome, { status: 'stored' }>, app: IngestTarget): never {
  if (outcome.status === 'rate_limited') {
    const scope = outcome.subject.split(':')[0];
    throw new AppError(
      'RATE_LIMITED',
      `rate limit reached for this ${scope === 'key' ? 'key' : scope === 'device' ? 'device' : 'address'}; retry after ${outcome.retryAfter} s`,
      [],
      outcome.retryAfter,
    );
  }
  if (outcome.status === 'over_quota') {
    // Each kind has its own quota: the message names the one that ran out (and that the other still flows).
    const used = [
      ...(outcome.events ? [`${app.monthlyEventQuota} events`] : []),
      ...(outcome.crashes ? [`${app.monthlyCrashQuota} crash reports`] : []),
    ];
    const still =
      outcome.events && outcome.crashes
        ? ''
        : outcome.events
          ? '; crash reports are still accepted'
          : '; events are still accepted';
    throw new AppError(
      'RATE_LIMITED',
      `this organization's monthly quota of ${used.join(' and of ')} is used up${still}`,
      [],
      3600,
    );
  }
  // The backlog (in entries or bytes) is full: PostgreSQL is far behind; Redis must keep room.
  throw new AppError('UNAVAILABLE', 'ingestion is behind: the buffer is at its size limit; retry shortly', [], 5);
}

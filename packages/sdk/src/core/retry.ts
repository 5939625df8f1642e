// When to try a batch again: exponential backoff with full jitter, at least what the
// server asked for in Retry-After, and never for a refusal that will not change (4xx other
// than 408 and 429: the batch is dropped and counted).

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1_000, maxMs: 5 * 60_000 };

export type SendOutcome = { kind: 'sent' } | { kind: 'retry'; afterMs: number } | { kind: 'drop'; status: number };

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now: number): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - now) : null;
}

/** The delay before attempt `attempt` (1 = first retry): random in [0, min(max, base·2^(attempt-1))]. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}

/** Whether a response settles a batch for good: sent, or refused in a way a retry will not change. */
export const isFinal = (status: number) => isSent(status) || isRefused(status);
const isSent = (status: number) => status >= 200 && status < 300;
const isRefused = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;

/** What a response (or a network failure: status 0) means for the batch. */
export function outcomeOf(
  status: number,
  retryAfter: string | null | undefined,
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
  now: number,
): SendOutcome {
  if (isSent(status)) return { kind: 'sent' };
  if (isRefused(status)) return { kind: 'drop', status };
  const asked = parseRetryAfter(retryAfter, now);
  const jittered = backoffMs(attempt, policy, random);
  return { kind: 'retry', afterMs: Math.min(policy.maxMs, Math.max(asked ?? 0, jittered)) };
}

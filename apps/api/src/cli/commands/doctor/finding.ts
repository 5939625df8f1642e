export type FindingStatus = 'ok' | 'warn' | 'error';

/** One line of `sightline doctor`: what was checked, how it went, and what to change. */
export interface Finding {
  check: string;
  status: FindingStatus;
  message: string;
  /** What to change; null when there is nothing to do. */
  fix: string | null;
}

export const ok = (check: string, message: string): Finding => ({ check, status: 'ok', message, fix: null });
export const warn = (check: string, message: string, fix: string): Finding => ({ check, status: 'warn', message, fix });
export const error = (check: string, message: string, fix: string): Finding => ({
  check,
  status: 'error',
  message,
  fix,
});

export const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e)) || 'no answer';

/** A check that hangs (a firewall dropping packets) becomes an error instead of a stuck doctor. */
export async function withTimeout<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

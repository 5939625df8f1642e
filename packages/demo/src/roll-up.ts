import type pg from 'pg';
import { runAggregation } from '@sightline/core';

/**
 * Rolls up every hour the seed wrote, app by app, with the worker's own aggregation: the
 * dashboards are populated when `seed-demo` returns instead of minutes later. Hours a running
 * worker is rolling up at that moment (its advisory lock) are waited for, not skipped.
 */
export async function rollUpSeededApps(
  pool: pg.Pool,
  orgId: string,
  appIds: readonly number[],
  onProgress?: (line: string) => void,
): Promise<{ hours: number; days: number; seconds: number }> {
  const started = Date.now();
  const total = { hours: 0, days: 0 };
  for (const appId of appIds) {
    for (let idle = 0; ;) {
      const pass = await runAggregation(pool, { app: { orgId, appId }, limit: 500, settleMs: 0 });
      const failure = pass.failed[0];
      if (failure) throw new Error(`rolling up app ${appId}, day ${failure.day}, failed: ${failure.error}`);
      total.hours += pass.hours;
      total.days += pass.days;
      if (pass.hours > 0) {
        idle = 0;
        continue;
      }
      if (pass.skipped === 0) break;
      // A worker holds the day: it is rolling it up; wait for it (a minute at most).
      if (++idle > 300) throw new Error(`app ${appId}: its days stayed locked by another aggregator for a minute`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const seconds = (Date.now() - started) / 1000;
  onProgress?.(`rolled up ${total.hours} app-hours (${total.days} app-days) in ${seconds.toFixed(1)} s`);
  return { ...total, seconds };
}

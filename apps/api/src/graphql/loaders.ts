import { AppError, analyticsOverviews, type AnalyticsOverview, type OrgActor } from '@sightline/core';
import type { PrismaClient } from '@sightline/db';
import DataLoader from 'dataloader';

// Per-request batching: `{ apps { overview { … } } }` asks for every app's overview at
// once, and DataLoader turns those into one rollup query per date range, not one per app.

interface OverviewKey {
  appId: number;
  start?: string;
  end?: string;
}

export function createLoaders(prisma: PrismaClient, actor: OrgActor) {
  return {
    overview: new DataLoader<OverviewKey, AnalyticsOverview, string>(
      async (keys) => {
        const byRange = new Map<string, { start?: string; end?: string; appIds: number[] }>();
        for (const k of keys) {
          const range = `${k.start ?? ''}|${k.end ?? ''}`;
          const entry = byRange.get(range) ?? { start: k.start, end: k.end, appIds: [] };
          entry.appIds.push(k.appId);
          byRange.set(range, entry);
        }
        const answers = new Map<string, AnalyticsOverview>();
        for (const [range, { start, end, appIds }] of byRange) {
          const overviews = await analyticsOverviews(prisma, actor, appIds, { start, end });
          for (const [id, overview] of overviews) answers.set(`${id}|${range}`, overview);
        }
        return keys.map(
          (k) =>
            answers.get(`${k.appId}|${k.start ?? ''}|${k.end ?? ''}`) ??
            new AppError('NOT_FOUND', `app ${k.appId} not found`),
        );
      },
      { cacheKeyFn: (k) => `${k.appId}|${k.start ?? ''}|${k.end ?? ''}` },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

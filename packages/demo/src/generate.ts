// The streaming heart of the demo: walks the session schedule, turns each session into
// events (and sometimes a crash), and hands full batches to the write queue.
import { randomUUID } from 'node:crypto';
import { createEventWriter, type EventRow } from '@sightline/db/event-store';
import type pg from 'pg';
import { apiSession } from './api-session.ts';
import type { DemoApp, DemoPlatform } from './catalog.ts';
import { CrashReportBatch, pickCrash, type DemoCrashGroup } from './crashes.ts';
import { insertSessions, type SessionRecord } from './inserts.ts';
import { luaSession } from './lua-session.ts';
import { versionIndexAt, type DemoDevice } from './population.ts';
import type { Random } from './random.ts';
import { sessionSlots, type ScheduleWindow, type SessionRates } from './schedule.ts';
import { SessionEmitter, type SessionPlan } from './session-events.ts';
import { webSession } from './web-session.ts';
import { WriteQueue, yieldToWrites, type Progress } from './write-queue.ts';

export interface AppPlan {
  app: DemoApp;
  id: number;
  releases: readonly number[];
  /** Mean events per session that makes this app's sessions add up to its share. */
  sessionSize: number;
}

export interface GenerationInput {
  pool: pg.Pool;
  orgId: string;
  apps: readonly AppPlan[];
  devices: readonly DemoDevice[];
  window: ScheduleWindow;
  rates: SessionRates;
  schedule: Random;
  random: Random;
  crashGroups: readonly (readonly DemoCrashGroup[])[];
  progress: Progress;
}

const BATCH_ROWS = 20_000;
const MIN_BATCH_ROWS = 1_000;
const SESSION_BATCH = 20_000;
const YIELD_EVERY_ROWS = 2_000;
// Two COPYs in flight keep PostgreSQL busy while Node generates; a third gained nothing.
const WRITES_IN_FLIGHT = 2;
const SIZE_SPREAD = 0.5;
// The fewest events a session has: its fixed opening and closing events.
export const MIN_EVENTS: Readonly<Record<DemoPlatform, number>> = { WEB: 9, NODE: 3, LUA: 5 };
const GENERATORS: Readonly<Record<DemoPlatform, (em: SessionEmitter) => void>> = {
  WEB: webSession,
  NODE: apiSession,
  LUA: luaSession,
};

function byAppAndTime(a: EventRow, b: EventRow): number {
  return a.appId - b.appId || (a.occurredAt as number) - (b.occurredAt as number);
}

export async function generateTelemetry(input: GenerationInput): Promise<{ sessions: number; crashReports: number }> {
  const { pool, orgId, apps, random, progress } = input;
  const now = input.window.end;
  // Small demos still report progress about every 10%: that needs batches under a tenth.
  const batchRows = Math.min(BATCH_ROWS, Math.max(MIN_BATCH_ROWS, Math.ceil(progress.target / 20)));
  const writer = createEventWriter(pool);
  const queue = new WriteQueue(WRITES_IN_FLIGHT);
  const crashes = new CrashReportBatch(random);
  const emitter = new SessionEmitter([], random, now);
  let sessions: SessionRecord[] = [];
  let sessionCount = 0;
  let sinceYield = 0;

  const flushEvents = async (): Promise<void> => {
    const rows = emitter.rows;
    emitter.rows = [];
    // Two batches are written at once, and the writer upserts each batch's dirty (app, hour)
    // keys in order of first appearance: in differing orders two transactions could deadlock.
    // Sorted batches lock those keys in one order, and append to the (app, time) key in order.
    rows.sort(byAppAndTime);
    await queue.enqueue(async () => {
      await writer.write(rows);
      progress.add(rows.length);
    });
  };
  const flushSessions = async (): Promise<void> => {
    const batch = sessions;
    sessions = [];
    await queue.enqueue(() => insertSessions(pool, orgId, batch));
  };

  for (const slot of sessionSlots(input.devices, input.window, input.rates, input.schedule)) {
    const device = slot.device;
    const entry = apps[device.appIndex] as AppPlan;
    const app = entry.app;
    const versionIndex = versionIndexAt(entry.releases, device, slot.start);
    const version = app.versions[versionIndex] ?? '';
    const median = entry.sessionSize / Math.exp((SIZE_SPREAD * SIZE_SPREAD) / 2);
    const size = Math.max(MIN_EVENTS[app.platform], Math.round(random.logNormal(median, SIZE_SPREAD)));
    // Longer sessions run more code, so they crash more often.
    const crash = pickCrash(
      input.crashGroups[device.appIndex] ?? [],
      versionIndex,
      Math.sqrt(size / entry.sessionSize),
      random,
    );
    const plan: SessionPlan = {
      orgId,
      appId: entry.id,
      app,
      device,
      sessionId: app.platform === 'NODE' ? null : randomUUID(),
      version,
      versionIndex,
      start: slot.start,
      size,
      // A handled error is reported and the session goes on; an unhandled one ends it.
      crashing: crash !== null && !crash.kind.handled,
    };
    const first = emitter.rows.length;
    emitter.begin(plan);
    GENERATORS[app.platform](emitter);
    if (plan.crashing) emitter.wait(2_000, 1);

    // A session that would run past `now` happened a little earlier instead.
    const overrun = emitter.t - now;
    if (overrun > 0) {
      const shift = Math.min(overrun + random.int(1_000, 600_000), plan.start - input.window.start);
      emitter.shift(first, shift);
      plan.start -= shift;
    }
    if (crash) {
      const report = crashes.add({
        group: crash,
        app,
        device,
        sessionId: plan.sessionId,
        version,
        versionIndex,
        at: emitter.t,
        sessionStart: plan.start,
        place: crash.kind.where ?? emitter.summary.exit,
      });
      // The same crash as an event, so analytics counts and the crash list agree (a handled
      // error is no crash event: it would mark its session crashed).
      const lua = crash.kind.type === 'lua_error';
      if (plan.crashing) {
        emitter.emit(lua ? 'lua_error' : 'app_crash', crash.kind.type, null, {
          crash_type: crash.kind.type,
          message: report.message,
          fingerprint: crash.fingerprint,
          ...(lua ? { stack: report.stack } : {}),
        });
      }
      if (crashes.full) await queue.enqueue(crashes.take(pool, orgId, now));
    }

    const end = emitter.t;
    device.firstSeen = device.firstSeen ? Math.min(device.firstSeen, plan.start) : plan.start;
    if (end >= device.lastSeen) {
      device.lastSeen = end;
      device.lastVersion = version;
    }
    if (plan.sessionId !== null) {
      const summary = emitter.summary;
      sessions.push({
        appId: entry.id,
        id: plan.sessionId,
        device,
        version,
        start: plan.start,
        end,
        events: emitter.rows.length - first,
        screens: summary.screens,
        entry: summary.entry,
        exit: summary.exit,
        crashed: plan.crashing,
      });
      sessionCount += 1;
      if (sessions.length >= SESSION_BATCH) await flushSessions();
    }

    sinceYield += emitter.rows.length - first;
    if (emitter.rows.length >= batchRows) await flushEvents();
    if (sinceYield >= YIELD_EVERY_ROWS) {
      sinceYield = 0;
      await yieldToWrites();
    }
  }

  await flushEvents();
  await flushSessions();
  await queue.enqueue(crashes.take(pool, orgId, now));
  await queue.drain();
  return { sessions: sessionCount, crashReports: crashes.count };
}

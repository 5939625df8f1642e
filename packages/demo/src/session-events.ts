// Turns one planned session into raw event rows. Rows go straight into the caller's batch
// so a 10-million-event run never holds more than a batch or two in memory.
import { randomUUID } from 'node:crypto';
import type { EventRow } from '@sightline/db/event-store';
import type { DemoApp } from './catalog.ts';
import type { DemoDevice } from './population.ts';
import type { Random } from './random.ts';

export interface SessionPlan {
  orgId: string;
  appId: number;
  app: DemoApp;
  device: DemoDevice;
  /** Null for the API: server instances have no user sessions. */
  sessionId: string | null;
  version: string;
  versionIndex: number;
  start: number;
  /** Events to aim for. */
  size: number;
  /** A crash ends this session, so the usual closing event is not sent. */
  crashing: boolean;
}

export interface SessionSummary {
  end: number;
  screens: number;
  entry: string | null;
  exit: string | null;
}

// How long after the event the SDK's batch reaches the server.
const UPLOAD_DELAY_MS: Readonly<Record<string, number>> = { WEB: 3_000, NODE: 400, LUA: 45_000 };

/** Appends rows for one session with a moving clock; one instance is reused for all sessions. */
export class SessionEmitter {
  t = 0;
  private plan!: SessionPlan;
  private uploadDelay = 0;
  readonly summary: SessionSummary = { end: 0, screens: 0, entry: null, exit: null };

  constructor(
    /** The batch being filled; the caller swaps in a fresh array when it sends one off. */
    public rows: EventRow[],
    readonly random: Random,
    private readonly now: number,
  ) {}

  begin(plan: SessionPlan): void {
    this.plan = plan;
    this.t = plan.start;
    this.uploadDelay = UPLOAD_DELAY_MS[plan.app.platform] ?? 1_000;
    this.summary.screens = 0;
    this.summary.entry = null;
    this.summary.exit = null;
  }

  get planned(): SessionPlan {
    return this.plan;
  }

  /** Moves the clock by a log-normal think time. */
  wait(medianMs: number, spread = 0.8): void {
    this.t += Math.round(this.random.logNormal(medianMs, spread));
  }

  /** Moves this session's rows (from index `first`) `ms` earlier. */
  shift(first: number, ms: number): void {
    for (let i = first; i < this.rows.length; i++) {
      const row = this.rows[i] as EventRow;
      row.occurredAt = (row.occurredAt as number) - ms;
      row.receivedAt = (row.receivedAt as number) - ms;
    }
    this.t -= ms;
  }

  /** A page or screen the user is now on: counted for the session's screens and paths. */
  place(name: string): void {
    this.summary.screens += 1;
    this.summary.entry ??= name;
    this.summary.exit = name;
  }

  emit(type: string, name: string | null, value: number | null, data: object): void {
    const plan = this.plan;
    const device = plan.device;
    const t = this.t;
    this.rows.push({
      orgId: plan.orgId,
      appId: plan.appId,
      id: randomUUID(),
      occurredAt: t,
      // Nothing is received after `now`: the demo has no future.
      receivedAt: Math.min(this.now, t + Math.floor(this.random.next() * this.uploadDelay)),
      type,
      name,
      deviceId: device.hash,
      sessionId: plan.sessionId,
      userId: null,
      appVersion: plan.version,
      environment: 'production',
      os: device.os,
      osVersion: device.osVersion,
      browser: device.browser,
      deviceModel: device.model,
      country: device.country,
      value,
      data,
    });
  }
}

/** Rounds a measure to what an SDK would report (ms to 0.1, ratios to 3 places). */
export function round(value: number, places = 1): number {
  const factor = 10 ** places;
  return Math.round(value * factor) / factor;
}

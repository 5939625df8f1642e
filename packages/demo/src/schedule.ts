// When sessions happen: per device and local day, following each app's daily rhythm in
// the device's own time zone, weekday or weekend, from install until churn. The schedule
// draws from its own PRNG so it can be run twice — once to count sessions and size them
// to the requested event total, once for real — and give the same answer both times.
import { DEMO_APPS, type DemoApp } from './catalog.ts';
import { DAY_MS, type DemoDevice } from './population.ts';
import type { Random } from './random.ts';

const HOUR_MS = 3_600_000;

export interface ScheduleWindow {
  start: number;
  end: number;
}

export interface SessionSlot {
  device: DemoDevice;
  start: number;
}

/** Sessions per active day for each app; below 1 it thins out active days instead. */
export type SessionRates = readonly number[];

type HourTable = ReadonlyArray<readonly [number, number]>;
const hourTables = new Map<DemoApp, { weekday: HourTable; weekend: HourTable }>();

function hoursOf(app: DemoApp): { weekday: HourTable; weekend: HourTable } {
  let table = hourTables.get(app);
  if (!table) {
    table = {
      weekday: app.hours.weekday.map((w, h) => [h, w] as const),
      weekend: app.hours.weekend.map((w, h) => [h, w] as const),
    };
    hourTables.set(app, table);
  }
  return table;
}

/** Every session of every device, day by day (roughly time-ordered, which COPY likes). */
export function* sessionSlots(
  devices: readonly DemoDevice[],
  window: ScheduleWindow,
  rates: SessionRates,
  random: Random,
): Generator<SessionSlot> {
  const slot: SessionSlot = { device: devices[0] as DemoDevice, start: 0 };
  const firstDay = Math.floor(window.start / DAY_MS) - 1;
  const lastDay = Math.floor(window.end / DAY_MS) + 1;
  for (let day = firstDay; day <= lastDay; day++) {
    const weekday = new Date(day * DAY_MS).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    for (const device of devices) {
      const localMidnight = day * DAY_MS - device.utcOffsetMs;
      const from = Math.max(window.start, device.installAt);
      const until = Math.min(window.end, device.churnAt);
      if (localMidnight + DAY_MS <= from || localMidnight >= until) continue;
      const app = device.app;
      if (device.installAt >= localMidnight && device.installAt < localMidnight + DAY_MS) {
        slot.device = device;
        slot.start = device.installAt;
        yield slot;
      }
      const rate = rates[device.appIndex] ?? 1;
      const dayFactor = weekend ? app.weekendFactor : 1;
      // Weekends change who shows up more than how long they stay.
      if (!random.chance(device.activity * dayFactor * Math.min(1, rate))) continue;
      const sessions = Math.max(1, random.count(rate));
      const hours = weekend ? hoursOf(app).weekend : hoursOf(app).weekday;
      for (let i = 0; i < sessions; i++) {
        const start = localMidnight + random.weighted(hours) * HOUR_MS + Math.floor(random.next() * HOUR_MS);
        if (start <= from || start >= until) continue;
        slot.device = device;
        slot.start = start;
        yield slot;
      }
    }
  }
}

/**
 * A first guess at sessions per active day per app, from its share of the events, its
 * typical session size and how many device-days are active. The exact session count then
 * comes from running the schedule, and session sizes absorb the rest.
 */
export function estimateRates(devices: readonly DemoDevice[], window: ScheduleWindow, events: number): number[] {
  const activeDays = DEMO_APPS.map(() => 0);
  const installs = DEMO_APPS.map(() => 0);
  for (const device of devices) {
    const from = Math.max(window.start, device.installAt);
    const until = Math.min(window.end, device.churnAt);
    if (until <= from) continue;
    activeDays[device.appIndex]! += device.activity * Math.max(0.5, (until - from) / DAY_MS);
    if (Number.isFinite(device.installAt)) installs[device.appIndex]! += 1;
  }
  return DEMO_APPS.map((app, i) => {
    const sessions = (events * app.eventShare) / app.meanEvents - (installs[i] ?? 0);
    return Math.max(0.05, sessions / Math.max(1, activeDays[i] ?? 0));
  });
}

/** Sessions per app that the schedule will produce with these rates. */
export function countSessions(
  devices: readonly DemoDevice[],
  window: ScheduleWindow,
  rates: SessionRates,
  random: Random,
): number[] {
  const counts = DEMO_APPS.map(() => 0);
  for (const slot of sessionSlots(devices, window, rates, random)) counts[slot.device.appIndex]! += 1;
  return counts;
}

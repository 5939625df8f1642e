import { randomUUID } from 'node:crypto';
import type { EventRow } from '@sightline/db/event-store';
import type { DemoApp } from './catalog.ts';
import type { Random } from './random.ts';

export interface DemoDevice {
  hash: string;
  os: string;
  osVersion: string;
  browser: string | null;
  model: string | null;
  country: string;
}

export interface SessionContext {
  orgId: string;
  appId: number;
  app: DemoApp;
  device: DemoDevice;
  sessionId: string;
  version: string;
  start: number;
  /** Events to aim for in this session. */
  size: number;
}

const VITALS = [
  ['LCP', 2200, 0.45],
  ['INP', 140, 0.6],
  ['CLS', 0.06, 0.9],
  ['FCP', 1300, 0.4],
  ['TTFB', 420, 0.5],
] as const;

const FEATURES = ['unit_conversion', 'history_export', 'dark_mode', 'scientific_mode'];
const BUTTONS = ['btn-equals', 'btn-clear', 'btn-history', 'btn-settings', 'btn-share'];

/** The events of one session, in time order; returns where the session ended. */
export function generateSessionEvents(ctx: SessionContext, random: Random, out: EventRow[]): number {
  const { app, device } = ctx;
  let t = ctx.start;
  const push = (type: string, name: string | null, value: number | null, data: Record<string, unknown>): void => {
    out.push({
      orgId: ctx.orgId,
      appId: ctx.appId,
      id: randomUUID(),
      occurredAt: t,
      receivedAt: t + random.int(200, 4000),
      type,
      name,
      deviceId: device.hash,
      sessionId: ctx.sessionId,
      appVersion: ctx.version,
      environment: 'production',
      os: device.os,
      osVersion: device.osVersion,
      browser: device.browser,
      deviceModel: device.model,
      country: device.country,
      value,
      data,
    });
  };
  const step = (medianMs: number): void => {
    t += Math.round(random.logNormal(medianMs, 0.8));
  };

  const first = out.length;
  if (app.platform === 'WEB') {
    push('session_start', null, null, {});
    const landing = random.pick(app.places);
    push('page_view', landing, null, { path: landing, referrer: random.pick(['google', 'direct', 'newsletter']) });
    for (const [metric, median, spread] of VITALS) {
      push('web_vital', landing, random.logNormal(median, spread), { metric, page: landing });
    }
    push('resource_timing', landing, random.logNormal(380, 0.7), { initiator: 'img', url: '/img/hero.webp', size: 84_213 });
    while (out.length - first < ctx.size - 1) {
      step(9_000);
      const roll = random.next();
      const page = random.pick(app.places);
      if (roll < 0.4) push('page_view', page, null, { path: page });
      else if (roll < 0.75) push('click', page, null, { element: random.pick(['add-to-cart', 'buy-now', 'nav-search', 'filter']), page });
      else if (roll < 0.85) push('resource_timing', page, random.logNormal(900, 0.8), { initiator: 'video', url: '/media/promo.mp4' });
      else if (roll < 0.9) push('console_error', page, null, { message: 'Failed to load resource: 404', page });
      else push('add_to_cart', page, random.int(5, 200), { sku: `SKU-${random.int(100, 999)}` });
    }
    step(5_000);
    push('session_end', null, t - ctx.start, { duration_ms: t - ctx.start });
  } else if (app.platform === 'NODE') {
    while (out.length - first < ctx.size) {
      step(1_500);
      const route = random.pick(app.places);
      const [method = 'GET', path = '/'] = route.split(' ');
      const status = random.weighted([[200, 90], [201, 4], [404, 3], [500, 2], [429, 1]]);
      const duration = random.logNormal(method === 'POST' ? 120 : 45, 0.7);
      const roll = random.next();
      if (roll < 0.8) push('http_request', route, duration, { method, route: path, status, duration_ms: duration, request_bytes: random.int(0, 2048), response_bytes: random.int(200, 40_000) });
      else if (roll < 0.9) push('timing', 'db.query', random.logNormal(8, 0.9), { metric: 'db.query', unit: 'ms' });
      else if (roll < 0.95) push('counter', 'orders.created', 1, { metric: 'orders.created' });
      else push('gauge', 'queue.depth', random.int(0, 40), { metric: 'queue.depth' });
    }
  } else {
    push('app_start', null, null, { version: ctx.version, mosis_version: '1.0.0' });
    push('perf_startup', null, random.logNormal(850, 0.4), { duration_ms: random.logNormal(850, 0.4) });
    while (out.length - first < ctx.size - 1) {
      step(12_000);
      const screen = random.pick(app.places);
      const roll = random.next();
      if (roll < 0.35) push('screen_view', screen, null, { screen_name: screen });
      else if (roll < 0.7) push('button_click', screen, null, { element_id: random.pick(BUTTONS) });
      else if (roll < 0.8) push('feature_used', random.pick(FEATURES), null, { feature_name: random.pick(FEATURES) });
      else if (roll < 0.92) push('perf_frame', screen, random.logNormal(14, 0.3), { avg_ms: random.logNormal(14, 0.3), p95_ms: random.logNormal(28, 0.4) });
      else push('perf_memory', screen, random.logNormal(45, 0.3), { used_mb: random.logNormal(45, 0.3), limit_mb: 128 });
    }
    step(4_000);
    push('app_stop', null, (t - ctx.start) / 1000, { duration_seconds: Math.round((t - ctx.start) / 1000) });
  }
  return t;
}

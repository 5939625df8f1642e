// A few minutes of one Orders API instance: HTTP requests with per-route latency and
// status mixes, plus the counters, gauges and timings a Node service reports.
import { round, type SessionEmitter } from './session-events.ts';

interface Route {
  method: 'GET' | 'POST';
  path: string;
  medianMs: number;
  /** Share of 5xx answers; payments talk to a flaky provider. */
  errorRate: number;
  responseBytes: number;
}

const ROUTES: ReadonlyArray<readonly [Route, number]> = [
  [{ method: 'GET', path: '/api/products', medianMs: 32, errorRate: 0.003, responseBytes: 24_000 }, 35],
  [{ method: 'GET', path: '/api/orders', medianMs: 48, errorRate: 0.004, responseBytes: 9_000 }, 15],
  [{ method: 'GET', path: '/api/orders/:id', medianMs: 22, errorRate: 0.002, responseBytes: 2_400 }, 25],
  [{ method: 'POST', path: '/api/orders', medianMs: 140, errorRate: 0.01, responseBytes: 1_800 }, 10],
  [{ method: 'POST', path: '/api/payments', medianMs: 330, errorRate: 0.03, responseBytes: 900 }, 8],
  [{ method: 'GET', path: '/healthz', medianMs: 2, errorRate: 0, responseBytes: 20 }, 7],
];
const GAUGES = [
  ['heap_used_mb', 160, 0.2],
  ['queue.depth', 6, 0.9],
  ['event_loop_lag_ms', 4, 0.7],
] as const;

function statusOf(route: Route, roll: number): number {
  if (roll < route.errorRate) return roll < route.errorRate * 0.7 ? 500 : 503;
  if (roll < route.errorRate + 0.02 && route.path !== '/healthz') return route.method === 'POST' ? 422 : 404;
  if (roll < route.errorRate + 0.025 && route.path !== '/healthz') return 429;
  return route.method === 'POST' ? 201 : 200;
}

export function apiSession(em: SessionEmitter): void {
  const random = em.random;
  const plan = em.planned;
  const perf = (plan.app.versionPerf[plan.versionIndex] ?? 1) * plan.device.slowness;
  for (let n = 0; n < plan.size; n++) {
    em.wait(2_500, 1);
    const roll = random.next();
    if (roll < 0.78) {
      const route = random.weighted(ROUTES);
      const status = statusOf(route, random.next());
      // Failures are slow: timeouts and retries inside the handler.
      const duration = round(random.logNormal(route.medianMs * perf * (status >= 500 ? 4 : 1), 0.6));
      em.emit('http_request', `${route.method} ${route.path}`, duration, {
        method: route.method,
        route: route.path,
        status,
        duration_ms: duration,
        request_bytes: route.method === 'POST' ? random.int(200, 4_000) : 0,
        response_bytes: Math.round(random.logNormal(route.responseBytes, 0.4)),
      });
    } else if (roll < 0.88) {
      const ms = round(random.logNormal(6 * perf, 0.9), 2);
      em.emit('timing', 'db.query', ms, {
        metric: 'db.query',
        unit: 'ms',
        table: random.pick(['orders', 'products', 'payments']),
      });
    } else if (roll < 0.93) {
      const metric = random.chance(0.6) ? 'orders.created' : 'cache.miss';
      em.emit('counter', metric, 1, { metric, increment: 1 });
    } else if (roll < 0.98) {
      const [metric, median, spread] = random.pick(GAUGES);
      const value = round(random.logNormal(median, spread), 1);
      em.emit('gauge', metric, value, { metric, value });
    } else {
      const amount = round(random.logNormal(84, 0.6), 2);
      em.emit('payment_captured', 'stripe', amount, { currency: 'EUR', provider: 'stripe', amount });
    }
  }
}

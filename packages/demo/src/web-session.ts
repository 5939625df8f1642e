// A shopper's visit to the demo shop: navigation along a funnel, Core Web Vitals on load
// (INP when the page is hidden, as the web-vitals library reports it), image and video
// load timings, console errors and two business events.
import type { Random } from './random.ts';
import { round, type SessionEmitter } from './session-events.ts';

// metric, median, log-normal spread, good/poor thresholds (web.dev), network-bound?
const LOAD_VITALS = [
  ['TTFB', 420, 0.5, 800, 1800, true],
  ['FCP', 1300, 0.4, 1800, 3000, true],
  ['LCP', 2100, 0.45, 2500, 4000, true],
  ['CLS', 0.05, 0.9, 0.1, 0.25, false],
] as const;
const INP = { median: 150, spread: 0.6, good: 200, poor: 500 };

// Heavier pages render slower; the checkout loads a payment widget.
const PAGE_WEIGHT: Readonly<Record<string, number>> = { '/checkout': 1.35, '/products/[id]': 1.15, '/search': 1.1 };
const ELEMENTS: Readonly<Record<string, readonly string[]>> = {
  '/': ['hero-cta', 'nav-search', 'category-tile'],
  '/search': ['filter-price', 'sort-select', 'result-card'],
  '/products/[id]': ['add-to-cart', 'image-gallery', 'size-select', 'reviews-tab'],
  '/cart': ['qty-plus', 'remove-item', 'checkout-btn'],
  '/checkout': ['pay-now', 'address-form', 'apply-coupon'],
  '/account': ['edit-profile', 'logout'],
  '/orders': ['order-row', 'track-package'],
};
const REFERRERS = [
  ['direct', 5],
  ['google', 6],
  ['newsletter', 2],
  ['instagram', 2],
] as const;
const CONSOLE_ERRORS = [
  'Failed to load resource: the server responded with a status of 404 ()',
  'Refused to load the image because it violates the Content Security Policy directive',
  'ResizeObserver loop completed with undelivered notifications.',
] as const;

function rating(value: number, good: number, poor: number): 'good' | 'needs-improvement' | 'poor' {
  return value <= good ? 'good' : value <= poor ? 'needs-improvement' : 'poor';
}

function concretePath(route: string, random: Random): string {
  return route === '/products/[id]' ? `/products/${random.int(1000, 9999)}` : route;
}

/** Vitals and the hero image of a full page load. */
function pageLoad(em: SessionEmitter, page: string, perf: number): void {
  const random = em.random;
  const device = em.planned.device;
  const weight = (PAGE_WEIGHT[page] ?? 1) * perf;
  for (const [metric, median, spread, good, poor, network] of LOAD_VITALS) {
    const value = round(
      random.logNormal(median * (network ? weight * device.latency : 1), spread),
      metric === 'CLS' ? 3 : 1,
    );
    em.emit('web_vital', metric, value, { name: metric, value, rating: rating(value, good, poor), page });
  }
  resource(em, page, page === '/' ? 'video' : 'img', weight * device.latency);
}

function resource(em: SessionEmitter, page: string, initiator: 'img' | 'video' | 'script', factor: number): void {
  const random = em.random;
  const video = initiator === 'video';
  const duration = round(random.logNormal((video ? 950 : initiator === 'img' ? 320 : 180) * factor, 0.7));
  const url = video
    ? '/media/promo-30s.mp4'
    : initiator === 'img'
      ? `/img/p/${random.int(100, 999)}.webp`
      : '/static/js/chunk.js';
  // Named by initiator, as ingestion names resource_timing events: latency by resource type.
  em.emit('resource_timing', initiator, duration, {
    initiator,
    page,
    url,
    duration_ms: duration,
    transfer_size: video ? random.int(900_000, 4_000_000) : random.int(8_000, 240_000),
  });
}

/** A click as the browser SDK reports it: named by the element's selector, with its text (never a field's). */
function click(em: SessionEmitter, page: string): void {
  const element = em.random.pick(ELEMENTS[page] ?? ['link']);
  const tag = element.endsWith('-select') ? 'select' : /tab|row|tile|gallery/.test(element) ? 'div' : 'button';
  const selector = `${tag}#${element}`;
  em.emit('click', selector, null, {
    selector,
    ...(tag === 'select' ? {} : { text: element.replace(/-/g, ' ') }),
    page,
  });
}

export function webSession(em: SessionEmitter): void {
  const random = em.random;
  const plan = em.planned;
  const app = plan.app;
  const perf = app.versionPerf[plan.versionIndex] ?? 1;
  let page = random.weighted(app.landing);
  const referrer = random.weighted(REFERRERS);
  let worstInp = 0;

  em.emit('session_start', null, null, { landing: page, referrer });
  em.place(page);
  em.emit('page_view', page, null, { path: concretePath(page, random), route: page, referrer });
  pageLoad(em, page, perf);
  // Reserve room for INP and session_end.
  for (let n = 7; n < plan.size - 2; n++) {
    em.wait(11_000);
    const roll = random.next();
    if (roll < 0.34) {
      const next = random.weighted(app.navigation[page] ?? app.landing);
      if (page === '/products/[id]' && next === '/cart') {
        em.emit('add_to_cart', page, round(random.logNormal(39, 0.7), 2), {
          sku: `SKU-${random.int(1000, 9999)}`,
          quantity: random.int(1, 3),
        });
        n++;
      } else if (page === '/checkout' && next === '/orders') {
        em.emit('checkout_completed', page, round(random.logNormal(84, 0.6), 2), {
          currency: 'EUR',
          items: random.int(1, 5),
        });
        n++;
      }
      page = next;
      em.place(page);
      em.emit('page_view', page, null, { path: concretePath(page, random), route: page });
    } else if (roll < 0.72) {
      const inp = random.logNormal(INP.median * perf, INP.spread);
      worstInp = Math.max(worstInp, inp);
      click(em, page);
    } else if (roll < 0.85) {
      resource(
        em,
        page,
        random.chance(0.8) ? 'img' : random.chance(0.5) ? 'video' : 'script',
        perf * plan.device.latency,
      );
    } else if (roll < 0.88) {
      em.emit('console_error', page, null, { message: random.pick(CONSOLE_ERRORS), page });
    } else if (page === '/search') {
      em.emit('search_performed', page, random.int(0, 120), { query_length: random.int(2, 24) });
    } else {
      click(em, page);
    }
  }
  if (plan.crashing) return;
  em.wait(4_000);
  const inp = round(worstInp > 0 ? worstInp : random.logNormal(INP.median * perf, INP.spread));
  em.emit('web_vital', 'INP', inp, { name: 'INP', value: inp, rating: rating(inp, INP.good, INP.poor), page });
  const duration = em.t - plan.start;
  em.emit('session_end', null, duration, { duration_ms: duration, pages: em.summary.screens });
}

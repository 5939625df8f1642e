import type { SightlineClient } from '../core/client.ts';

// What the browser SDK collects by itself, each part switchable: page views (SPA
// navigations included), clicks (what was clicked, never what was typed), errors and
// unhandled rejections, console.error, image/video/script load times, and how long video
// and audio take to start and how long they stall.

export interface AutocaptureOptions {
  pageViews?: boolean;
  clicks?: boolean;
  errors?: boolean;
  consoleErrors?: boolean;
  resources?: boolean;
  media?: boolean;
}

/** The page without query or fragment (they often carry tokens and emails). */
const pathOf = (url: string) => {
  try {
    return new URL(url, location.href).pathname;
  } catch {
    return url.split(/[?#]/, 1)[0] ?? url;
  }
};

const stripQuery = (url: string) => url.split(/[?#]/, 1)[0] ?? url;

export function capturePageViews(client: SightlineClient): void {
  let last = '';
  const view = () => {
    const path = location.pathname;
    if (path === last) return;
    last = path;
    client.track('page_view', { path, title: document.title.slice(0, 500), referrer: stripQuery(document.referrer) });
  };
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method].bind(history);
    history[method] = (...args: Parameters<History['pushState']>) => {
      const result = original(...args);
      setTimeout(view, 0); // after the app updated the title
      return result;
    };
  }
  addEventListener('popstate', view);
  view();
}

function describe(element: Element): { selector: string; text?: string; role?: string } {
  const tag = element.tagName.toLowerCase();
  const id = element.id ? `#${element.id}` : '';
  const classes = !id && element.classList.length ? `.${[...element.classList].slice(0, 2).join('.')}` : '';
  const role = element.getAttribute('role') ?? undefined;
  // Never the value of a field someone types in.
  const typed = tag === 'input' || tag === 'textarea' || tag === 'select' || (element as HTMLElement).isContentEditable;
  const text = typed ? undefined : (element.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 100) || undefined;
  return { selector: `${tag}${id}${classes}`.slice(0, 500), ...(text ? { text } : {}), ...(role ? { role } : {}) };
}

export function captureClicks(client: SightlineClient): void {
  addEventListener(
    'click',
    (event) => {
      const target = event.target instanceof Element ? event.target : null;
      const element = target?.closest('a,button,[role=button],[role=link],input,[data-sightline]') ?? target;
      if (element) client.track('click', { ...describe(element), page: location.pathname });
    },
    { capture: true, passive: true },
  );
}

export function captureErrors(client: SightlineClient): void {
  addEventListener('error', (event) => {
    if (!(event instanceof ErrorEvent)) return; // a failed <img>, not a script error
    client.captureError(event.error ?? event.message, {
      handled: false,
      extra: { page: location.pathname, source: 'onerror' },
    });
  });
  addEventListener('unhandledrejection', (event) => {
    client.captureError(event.reason, {
      handled: false,
      extra: { page: location.pathname, source: 'unhandledrejection' },
    });
  });
}

// The SDK wraps console.error (and calls the original): reading it is the point here.
/* eslint-disable no-console */
export function captureConsoleErrors(client: SightlineClient): void {
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    try {
      const message = args
        .map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : String(a)))
        .join(' ');
      client.track('console_error', { message: message.slice(0, 4000), page: location.pathname });
    } catch {
      // Never in the way of the app's own logging.
    }
    original(...args);
  };
}
/* eslint-enable no-console */

const TIMED = new Set(['img', 'video', 'audio', 'script', 'css', 'link', 'fetch', 'xmlhttprequest']);

export function captureResources(client: SightlineClient, endpoint: string): void {
  if (typeof PerformanceObserver !== 'function') return;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as PerformanceResourceTiming[]) {
      // The SDK's own requests are not the app's.
      if (!TIMED.has(entry.initiatorType) || entry.name.startsWith(endpoint)) continue;
      client.track('resource_timing', {
        url: stripQuery(entry.name).slice(0, 4000),
        initiator: entry.initiatorType,
        duration_ms: Math.round(entry.duration),
        ...(entry.transferSize ? { transfer_size: entry.transferSize } : {}),
        page: pathOf(location.href),
      });
    }
  });
  try {
    observer.observe({ type: 'resource', buffered: true });
  } catch {
    // An old browser without buffered resource entries.
  }
}

/**
 * Video and audio as the viewer meets them: `media_load` (from the element starting to load
 * to its first frame or sample being ready), `media_stall` (playback waiting for data until
 * it plays again) and `media_error`. Media events do not bubble; a capturing listener on
 * the window sees them all, elements added later included.
 */
export function captureMedia(client: SightlineClient): void {
  const loading = new WeakMap<EventTarget, number>();
  const stalled = new WeakMap<EventTarget, number>();
  const about = (el: HTMLMediaElement) => ({
    url: stripQuery(el.currentSrc || el.src).slice(0, 4000),
    kind: el.tagName.toLowerCase(),
    page: location.pathname,
  });
  const since = (marks: WeakMap<EventTarget, number>, el: HTMLMediaElement) => {
    const at = marks.get(el);
    marks.delete(el);
    return at === undefined ? undefined : Math.round(performance.now() - at);
  };
  const on = (type: string, run: (el: HTMLMediaElement) => void) =>
    addEventListener(
      type,
      (event) => {
        if (event.target instanceof HTMLMediaElement) run(event.target);
      },
      { capture: true, passive: true },
    );
  on('loadstart', (el) => loading.set(el, performance.now()));
  on('loadeddata', (el) => {
    const ms = since(loading, el);
    if (ms !== undefined) client.track('media_load', { ...about(el), duration_ms: ms });
  });
  on('waiting', (el) => stalled.set(el, performance.now()));
  on('playing', (el) => {
    const ms = since(stalled, el);
    if (ms !== undefined) client.track('media_stall', { ...about(el), duration_ms: ms });
  });
  on('error', (el) => client.track('media_error', { ...about(el), code: el.error?.code ?? 0 }));
}

'use client';

import { useParams, usePathname } from 'next/navigation';
import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { CaptureContext, SightlineClient } from '../core/client.ts';
import type { AutocaptureOptions } from '../browser/autocapture.ts';
import { privacyControls } from '../core/privacy.ts';
import { init, type BrowserOptions } from '../browser/index.ts';
import { captureWebVitals } from '../browser/vitals.ts';

// Next.js in the browser (App Router). In the root layout:
//
//   import { SightlineAnalytics } from '@sightline/sdk/next';
//   <SightlineAnalytics sightlineKey="pk_…" endpoint="https://telemetry.example.com" />
//
// and in `error.tsx` / `global-error.tsx`: `useSightlineError(error)`. Page views come from
// the router (one per route change, with the route pattern such as `/shop/[id]`); clicks,
// errors, console errors, resource timing and Web Vitals from the browser SDK.

export interface SightlineAnalyticsProps extends Omit<BrowserOptions, 'key' | 'autocapture'> {
  /** The app's public ingest key (pk_…); `key` is React's own prop. */
  sightlineKey: string;
  /** Page views are the router's; every other part is on unless set to false. */
  autocapture?: Omit<AutocaptureOptions, 'pageViews'> | false;
  /** LCP, INP, CLS, FCP and TTFB (default on). */
  webVitals?: boolean;
}

type BoundaryError = Error & { digest?: string };

let client: SightlineClient | null = null;
/** Components waiting for the client to start (`useSightline`). */
const listeners = new Set<() => void>();
/** Errors already reported (Strict Mode runs effects twice in development). */
const reported = new WeakSet<object>();
/** Errors a boundary caught before the client started (a child's effects run before its layout's). */
let waiting: Array<[unknown, CaptureContext]> = [];

/** Starts the browser SDK once per page load, however often React mounts the component. */
function start({ sightlineKey, autocapture, webVitals, ...options }: SightlineAnalyticsProps): SightlineClient {
  if (client) return client;
  client = init({
    ...options,
    key: sightlineKey,
    autocapture: autocapture === false ? false : { ...autocapture, pageViews: false },
  });
  privacyControls(client); // consent and opt-out are told to the server
  if (webVitals !== false) {
    try {
      captureWebVitals(client);
    } catch {
      // A browser without the performance APIs: no vitals, everything else.
    }
  }
  for (const [error, context] of waiting) client.captureError(error, context);
  waiting = [];
  for (const listener of listeners) listener();
  return client;
}

/**
 * `/shop/42` with params `{ id: '42' }` → `/shop/[id]`; catch-all params → `[...slug]`.
 * Params come in route order and dynamic segments tend to come last, so each is matched
 * from the end, before the one after it (`/orgs/7/apps/7` → `/orgs/[org]/apps/[app]`,
 * `/shop/shop` → `/shop/[id]`).
 */
export function routePattern(pathname: string, params: Record<string, string | string[] | undefined> | null): string {
  const segments = pathname.split('/');
  let before = segments.length;
  for (const [name, value] of Object.entries(params ?? {}).reverse()) {
    const values = (Array.isArray(value) ? value : [value]).filter((v): v is string => Boolean(v));
    if (values.length === 0) continue;
    for (let at = before - values.length; at >= 1; at--) {
      if (!values.every((v, i) => segments[at + i] === v || safeDecode(segments[at + i]!) === v)) continue;
      segments.splice(at, values.length, Array.isArray(value) ? `[...${name}]` : `[${name}]`);
      before = at;
      break;
    }
  }
  return segments.join('/');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Reports route changes (App Router) and starts the SDK; renders nothing. */
export function SightlineAnalytics(props: SightlineAnalyticsProps): null {
  const pathname = usePathname();
  const params = useParams();
  const previous = useRef<string | null>(null);
  useEffect(() => {
    try {
      start(props);
    } catch {
      // Never in the way of the app.
    }
  }, []); // started once; later prop changes do not restart it
  useEffect(() => {
    if (!client || !pathname || previous.current === pathname) return;
    const referrer = previous.current ?? document.referrer.split(/[?#]/, 1)[0] ?? '';
    previous.current = pathname;
    const route = routePattern(pathname, params);
    const active = client;
    // After the new page set its title.
    setTimeout(() => {
      active.track('page_view', {
        path: pathname,
        ...(route !== pathname ? { route } : {}),
        title: document.title.slice(0, 500),
        referrer,
      });
    }, 0);
  }, [pathname, params]);
  return null;
}

export { privacyControls, type PrivacyControls, type PrivacyRequest } from '../core/privacy.ts';

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/** The running client (for `track`, `identify`, metrics, `setConsent`); null until it starts, then re-renders with it. */
export function useSightline(): SightlineClient | null {
  return useSyncExternalStore(
    subscribe,
    () => client,
    () => null,
  );
}

/**
 * Reports the error an `error.tsx` or `global-error.tsx` boundary received, once per error,
 * with Next.js's digest (which names the server-side report of the same error).
 */
export function useSightlineError(error: BoundaryError, context: CaptureContext = {}): void {
  useEffect(() => {
    const tracked = typeof error === 'object' && error !== null;
    if (tracked && reported.has(error)) return;
    if (tracked) reported.add(error);
    const full: CaptureContext = {
      level: 'error',
      ...context,
      tags: { ...context.tags, boundary: 'next', ...(error?.digest ? { digest: error.digest } : {}) },
      extra: { page: location.pathname, ...context.extra },
    };
    if (client) client.captureError(error, full);
    else if (waiting.length < 20) waiting.push([error, full]);
  }, [error]); // once per error object
}

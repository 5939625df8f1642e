import type { SightlineClient } from '../core/client.ts';
import { init, type NodeOptions } from '../node/index.ts';

// Next.js on the server, through `instrumentation.ts`:
//
//   import { registerSightline, sightlineRequestError } from '@sightline/sdk/next/server';
//   export function register() {
//     registerSightline({ key: process.env.SIGHTLINE_KEY!, endpoint: process.env.SIGHTLINE_ENDPOINT! });
//   }
//   export const onRequestError = sightlineRequestError;
//
// `register` starts the Node SDK once (uncaught errors, flush on exit); `onRequestError`
// reports the errors Next.js catches itself — in pages, route handlers, server actions and
// proxies — with the route pattern, router and kind of request.

let client: SightlineClient | null = null;

/** Starts the SDK in the Node.js runtime (once; the Edge runtime has no process to hook). */
export function registerSightline(options: NodeOptions): SightlineClient | null {
  if (process.env.NEXT_RUNTIME && process.env.NEXT_RUNTIME !== 'nodejs') return null;
  client ??= init(options);
  return client;
}

/** What Next.js passes to `onRequestError` (its `Instrumentation.onRequestError`). */
export interface NextRequestErrorContext {
  routerKind: 'Pages Router' | 'App Router';
  routePath: string;
  routeType: 'render' | 'route' | 'action' | 'proxy' | 'middleware';
  renderSource?: string;
  revalidateReason?: string;
}

export async function sightlineRequestError(
  error: unknown,
  request: Readonly<{ path: string; method: string }>,
  context: Readonly<NextRequestErrorContext>,
): Promise<void> {
  if (!client) return;
  client.captureError(error, {
    level: 'error',
    // Nothing in the app caught it: Next.js answered 500 (Sentry's onRequestError says the same).
    handled: false,
    tags: {
      router: context.routerKind,
      route_type: context.routeType,
      // The digest the browser's error boundary gets for the same error (useSightlineError).
      ...(digestOf(error) ? { digest: digestOf(error)! } : {}),
    },
    extra: {
      route: context.routePath,
      path: request.path.split(/[?#]/, 1)[0],
      method: request.method,
      ...(context.renderSource ? { render_source: context.renderSource } : {}),
      ...(context.revalidateReason ? { revalidate_reason: context.revalidateReason } : {}),
    },
  });
  await client.flush();
}

function digestOf(error: unknown): string | undefined {
  const digest = (error as { digest?: unknown } | null)?.digest;
  return typeof digest === 'string' && digest ? digest.slice(0, 200) : undefined;
}

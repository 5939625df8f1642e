import { registerSightline, sightlineRequestError } from '@sightline/sdk/next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@sightline/core/testing';
import { startIngestStack } from '../support/ingest-stack.ts';

// @sightline/sdk/next/server as Next.js calls it from instrumentation.ts: `register()` once
// per server, `onRequestError` for errors Next.js caught while rendering a route.

let stack: Awaited<ReturnType<typeof startIngestStack>>;
let endpoint: string;

beforeAll(async () => {
  stack = await startIngestStack('com.example.sdk-next');
  endpoint = await stack.listen();
});

afterAll(async () => {
  await stack?.close();
});

describe('@sightline/sdk/next/server', () => {
  it('starts once in the Node.js runtime, never in the Edge runtime, and reports request errors with their route', async () => {
    const options = { key: stack.app.ingestKey, endpoint, appVersion: '7.0.0', captureUncaught: false };
    process.env.NEXT_RUNTIME = 'edge';
    expect(registerSightline(options)).toBeNull();
    process.env.NEXT_RUNTIME = 'nodejs';
    const client = registerSightline(options);
    expect(client).not.toBeNull();
    expect(registerSightline(options)).toBe(client); // Next may call register() more than once
    delete process.env.NEXT_RUNTIME;

    const error = new Error('order service unavailable');
    await sightlineRequestError(
      error,
      { path: '/orders/42?token=abc123', method: 'GET' },
      { routerKind: 'App Router', routePath: '/orders/[id]', routeType: 'render', renderSource: 'server-rendering' },
    );
    const crash = await until(
      () => stack.deps.prisma.crashReport.findFirst({ where: { appId: stack.app.app.id } }).then((r) => r ?? undefined),
      20,
    );
    expect(crash).toMatchObject({
      message: 'order service unavailable',
      level: 'error',
      appVersion: '7.0.0',
      tags: { router: 'App Router', route_type: 'render' },
    });
    expect(crash.context).toMatchObject({ route: '/orders/[id]', path: '/orders/42', method: 'GET' });
    expect(JSON.stringify(crash)).not.toContain('abc123');
    await client!.shutdown();
  });
});

import { SightlineClient } from '@sightline/sdk';
import { nodePlatform } from '@sightline/sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@sightline/core/testing';
import { startIngestStack } from '../support/ingest-stack.ts';

// The SDK's core (on Node's platform) against the real api and writers: what it sends is the wire
// contract the api accepts, and lands in PostgreSQL — events, the user, a crash report,
// gzip bodies — under one stable device.

let stack: Awaited<ReturnType<typeof startIngestStack>>;
let endpoint: string;

const node = nodePlatform();

beforeAll(async () => {
  stack = await startIngestStack('com.example.sdk-core');
  endpoint = await stack.listen();
});

afterAll(async () => {
  await stack?.close();
});

describe('the SDK core on the wire', () => {
  it('delivers usage events, the identified user and a crash report, gzip-compressed when large', async () => {
    const client = new SightlineClient(
      { key: stack.app.ingestKey, endpoint, appVersion: '2.0.0', environment: 'production', batchSize: 100 },
      node,
    );
    client.identify('user-7');
    for (let i = 0; i < 40; i++) client.track('page_view', { path: `/docs/${i}`, title: 'x'.repeat(40) });
    client.counter('exports');
    client.captureError(new TypeError("Cannot read properties of undefined (reading 'id')"), {
      tags: { area: 'checkout' },
    });
    await client.shutdown();
    expect(client.rejected).toBe(0);

    const appId = stack.app.app.id;
    const events = await until(async () => {
      const rows = await stack.deps.prisma.event.findMany({ where: { appId } });
      return rows.length >= 42 ? rows : undefined;
    }, 20);
    expect(events).toHaveLength(42); // 40 page views, the counter and the session start
    expect(new Set(events.map((e) => e.userId))).toEqual(new Set(['user-7']));
    expect(new Set(events.map((e) => e.appVersion))).toEqual(new Set(['2.0.0']));
    expect(events.filter((e) => e.type === 'page_view').map((e) => e.name)).toContain('/docs/39');
    const crash = await until(() =>
      stack.deps.prisma.crashReport.findFirst({ where: { appId } }).then((r) => r ?? undefined),
    );
    expect(crash).toMatchObject({ crashType: 'TypeError', userId: 'user-7', appVersion: '2.0.0' });
    // One install, one device, whether it sent events or a crash.
    expect(new Set([...events.map((e) => e.deviceId), crash.deviceId]).size).toBe(1);
    expect(new Set(events.map((e) => e.sessionId))).toEqual(new Set([crash.sessionId]));
  });
});

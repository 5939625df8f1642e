import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createWorkerMetrics, serveMetrics } from './metrics.ts';

async function scrape(token: string | undefined, authorization?: string) {
  const server = serveMetrics(createWorkerMetrics().registry, 0, token);
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
      headers: authorization ? { authorization } : {},
    });
    return { status: res.status, body: await res.text() };
  } finally {
    server.close();
  }
}

describe("the worker's /metrics", () => {
  it('with METRICS_TOKEN set, answers only the bearer of that token', async () => {
    const token = 'worker-metrics-token-123';
    expect((await scrape(token)).status).toBe(401);
    expect((await scrape(token, 'Bearer wrong-token-entirely')).status).toBe(401);
    const scraped = await scrape(token, `Bearer ${token}`);
    expect(scraped.status).toBe(200);
    expect(scraped.body).toMatch(/sightline_writer_events_total/);
  });

  it('without a token stays open on its own port, as before', async () => {
    expect((await scrape(undefined)).status).toBe(200);
  });
});

import { privacyControls, SightlineClient, type KeyValueStore, type Platform } from '@sightline/sdk';
import { nodePlatform } from '@sightline/sdk/node';
import { hashDeviceId } from '@sightline/core';
import { until } from '@sightline/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestStack } from '../support/ingest-stack.ts';

// The SDK's privacy controls against the real api: consent asked for by the app (nothing
// collected before it, the server told after it — also when the answer came while offline),
// opt-out told to the server, and the user's export and deletion requests, after which the
// SDK goes on as a new, unrelated device.

let stack: Awaited<ReturnType<typeof startIngestStack>>;
let endpoint: string;

beforeAll(async () => {
  stack = await startIngestStack('com.example.sdk-privacy');
  endpoint = await stack.listen();
  // The app stores usage analytics only from devices that said yes.
  await stack.deps.prisma.app.update({ where: { id: stack.app.app.id }, data: { analyticsOptIn: true } });
});

afterAll(async () => {
  await stack?.close();
});

/** Node's platform with an in-memory store (what a browser keeps in localStorage) and a switch for the network. */
function device(store = new Map<string, string>()) {
  const online = { value: true };
  const base = nodePlatform();
  const kv: KeyValueStore = { get: (k) => store.get(k) ?? null, set: (k, v) => void store.set(k, v) };
  const platform: Platform = {
    ...base,
    store: kv,
    fetch: (url, init) => (online.value ? base.fetch(url, init) : Promise.reject(new TypeError('fetch failed'))),
  };
  const start = () =>
    new SightlineClient({ key: stack.app.ingestKey, endpoint, privacy: { requireConsent: true } }, platform);
  return { store, online, start };
}

const stored = (name: string) => stack.deps.prisma.event.count({ where: { appId: stack.app.app.id, name } });
/** The server's record of the device this client is (found by its id as the api stores it). */
const deviceRecord = async (client: SightlineClient) =>
  stack.deps.prisma.device.findFirstOrThrow({
    where: { appId: stack.app.app.id, deviceIdHash: hashDeviceId(stack.salt, await client.deviceId) },
  });

describe('the SDK privacy controls', () => {
  it('collects nothing before consent, tells the server when it is given, and honours opting out', async () => {
    const phone = device();
    const client = phone.start();
    const privacy = privacyControls(client);
    client.track('feature_used', { feature_name: 'before-consent' });
    await client.ready; // the stored choices are read: no consent, so it is dropped
    expect(client.queue.size).toBe(0);

    expect(await privacy.setConsent({ analytics: true })).toBe(true);
    expect((await deviceRecord(client)).analyticsConsentAt).not.toBeNull();
    client.track('feature_used', { feature_name: 'after-consent' });
    await client.flush();
    await until(async () => ((await stored('after-consent')) === 1 ? true : undefined));
    expect(await stored('before-consent')).toBe(0);

    client.optOut();
    await until(async () => ((await deviceRecord(client)).optedOut ? true : undefined));
    client.optIn();
    await until(async () => (!(await deviceRecord(client)).optedOut ? true : undefined));
    await client.shutdown();
  });

  it('tells the server a choice made offline when the app next starts', async () => {
    const laptop = device();
    const first = laptop.start();
    const firstPrivacy = privacyControls(first);
    await first.ready;
    laptop.online.value = false;
    expect(await firstPrivacy.setConsent({ analytics: true, crashReports: false })).toBe(false);
    expect(first.consent).toMatchObject({ analytics: true, crashReports: false, synced: false });
    await first.shutdown();

    laptop.online.value = true;
    const second = laptop.start(); // same storage: a restart
    privacyControls(second);
    // The restart sends what the server has not heard yet, by itself.
    await until(() => Promise.resolve(second.consent.synced ? true : undefined));
    expect(await deviceRecord(second)).toMatchObject({
      crashesEnabled: false,
      analyticsConsentAt: expect.any(Date) as Date,
    });
    second.captureError(new Error('not sent: crash reports were declined'));
    expect(JSON.parse(laptop.store.get('sightline:crashes') ?? '[]')).toEqual([]);
    await second.shutdown();
  });

  it("exports and deletes the device's data on request, then carries on as a new device", async () => {
    const tablet = device();
    const client = tablet.start();
    const privacy = privacyControls(client);
    expect(await privacy.setConsent({ analytics: true })).toBe(true);
    const before = await client.deviceId;
    const saved = () =>
      JSON.parse(tablet.store.get('sightline:device-token') ?? 'null') as { device: string; token: string };
    expect(saved().device).toBe(before);

    // The app's own deletion (or an admin's) revoked the token: the SDK registers again.
    const { token } = saved();
    const row = await stack.deps.prisma.deviceToken.findFirstOrThrow({ where: { prefix: token.slice(0, 12) } });
    await stack.deps.prisma.deviceToken.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
    await stack.deps.resolver.invalidate(row.tokenHash);

    const exported = await privacy.requestDataExport();
    expect(exported).toMatchObject({ download_url: expect.stringContaining('/v1/privacy/exports/') as string });
    expect(saved().token).not.toBe(token);

    const deletion = await privacy.requestDataDeletion();
    expect(deletion).toMatchObject({ status: 'scheduled', status_url: expect.stringContaining('sig=') as string });
    const after = await client.deviceId;
    expect(after).not.toBe(before);
    const requests = await stack.deps.prisma.gdprRequest.findMany({ where: { appId: stack.app.app.id } });
    expect(requests.map((r) => [r.kind, r.subjectKey]).sort()).toEqual([
      ['DELETE', hashDeviceId(stack.salt, before)],
      ['EXPORT', hashDeviceId(stack.salt, before)],
    ]);

    // The new device's consent reaches the server by itself, so this opt-in app keeps its usage data.
    client.track('feature_used', { feature_name: 'after-deletion' });
    await client.flush();
    await until(async () => ((await stored('after-deletion')) === 1 ? true : undefined));
    const event = await stack.deps.prisma.event.findFirstOrThrow({ where: { name: 'after-deletion' } });
    expect(event.deviceId).toBe(hashDeviceId(stack.salt, after));
    await client.shutdown();
  });

  it('asks about the new device after a sign-out reset, never the old one', async () => {
    const shared = device();
    const client = shared.start();
    const privacy = privacyControls(client);
    expect(await privacy.setConsent({ analytics: true })).toBe(true);
    const first = await client.deviceId;
    await client.reset(); // user A signs out
    const second = await client.deviceId;
    expect(second).not.toBe(first);
    await privacy.requestDataExport(); // user B asks for their data
    const exports = await stack.deps.prisma.gdprRequest.findMany({
      where: {
        appId: stack.app.app.id,
        kind: 'EXPORT',
        subjectKey: { in: [first, second].map((d) => hashDeviceId(stack.salt, d)) },
      },
    });
    expect(exports.map((r) => r.subjectKey)).toEqual([hashDeviceId(stack.salt, second)]);
    await client.shutdown();
  });
});

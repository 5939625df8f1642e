import type { Consent, SightlineClient } from './client.ts';

// The device's own privacy endpoints (seed "Privacy Controls" and "GDPR Endpoints"): the
// choices a privacy screen offers (usage analytics, crash reports, opt-out) told to the
// server, and the user's requests to export or delete their data. They authenticate with a
// device token (dt_…), registered with the app's pk_ key on first use and again if revoked.
// Kept apart from the client so the smallest <script> build does not carry it.

/** The server's answer to an export or deletion request (seed shapes, plus a status link). */
export interface PrivacyRequest {
  status: string;
  status_url?: string;
  download_url?: string;
}

export interface PrivacyControls {
  /** `client.setConsent`, resolving true once the server has the choice (else it is sent on the next start). */
  setConsent(choice: Consent): Promise<boolean>;
  /** Everything the server holds about this device, as a download (ready within minutes). */
  requestDataExport(): Promise<PrivacyRequest | null>;
  /** Deletes everything the server holds about this device; then the SDK forgets the device too. */
  requestDataDeletion(): Promise<PrivacyRequest | null>;
}

const TOKEN_KEY = 'sightline:device-token';
const attached = new WeakMap<SightlineClient, PrivacyControls>();

/** Attaches the server side of the client's privacy choices (once per client) and returns the requests. */
export function privacyControls(client: SightlineClient): PrivacyControls {
  const known = attached.get(client);
  if (known) return known;
  const { platform, options } = client;
  const send = (method: string, path: string, credential: string, body?: object) =>
    platform.fetch(client.url(path), {
      method,
      headers: {
        authorization: `Bearer ${credential}`,
        // Only with a body: the api refuses an empty one that says it is JSON.
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  // The token and the device id it was issued for: another device (after a reset) needs its own.
  let saved: { device: string; token: string } | null = null;

  const tokenFor = async (device: string, renew: boolean): Promise<string | null> => {
    saved ??= JSON.parse((await platform.store?.get(TOKEN_KEY)) || 'null') as typeof saved;
    if (!renew && saved?.device === device) return saved.token;
    const res = await send('POST', '/v1/devices/register', options.key, { device_id: device });
    const token = res.status === 200 ? ((await res.json()) as { token?: string }).token : undefined;
    if (!token) return null;
    saved = { device, token };
    await platform.store?.set(TOKEN_KEY, JSON.stringify(saved));
    return token;
  };

  /** One of the device's endpoints, as `device` (this install's current id unless named). */
  const call = async (method: string, path: string, body?: object, device?: string): Promise<PrivacyRequest | null> => {
    await client.ready;
    const id = device ?? (await client.deviceId);
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await tokenFor(id, attempt > 0);
      if (!token) return null;
      const res = await send(method, path, token, body);
      if (res.status === 401) continue; // revoked (the app deleted this device's data): register again
      return res.status < 300 ? ((await res.json()) as PrivacyRequest) : null;
    }
    return null;
  };
  const safely = <T>(run: () => Promise<T>, fallback: T) => run().catch(() => fallback);

  /** Sends the device's whole privacy state if the server has not heard it; true once it has. */
  const syncNow = () =>
    safely(async () => {
      await client.ready;
      const { analytics, crashReports, synced } = client.consent;
      if (synced !== false) return true;
      const settings = {
        opted_out: client.isOptedOut,
        ...(analytics !== undefined ? { analytics_enabled: analytics } : {}),
        ...(crashReports !== undefined ? { crash_reports_enabled: crashReports } : {}),
      };
      if (!(await call('PUT', '/v1/privacy/settings', settings))) return false;
      // Marked as heard only if nothing changed while it was on its way (else the next sync sends that).
      const now = client.consent;
      if (
        now.analytics === analytics &&
        now.crashReports === crashReports &&
        client.isOptedOut === settings.opted_out
      ) {
        now.synced = true;
        client.saveConsent();
        void client.flush(); // the usage events that waited for it
      }
      return true;
    }, false);
  // One at a time, in order: an older answer never marks a newer choice as heard.
  let chain: Promise<boolean> = Promise.resolve(true);
  const sync = () => (chain = chain.then(syncNow, syncNow));

  client.onPrivacyChange = () => void sync();
  void sync(); // a choice made while the server could not be reached is told to it now

  const controls: PrivacyControls = {
    setConsent: (choice) => {
      client.setConsent(choice);
      return chain;
    },
    requestDataExport: () => safely(() => call('GET', '/v1/privacy/export'), null),
    requestDataDeletion: () =>
      safely(async () => {
        await client.ready;
        const device = await client.deviceId;
        // Forget the device here first, so nothing of it is sent after the server deleted it.
        await client.reset();
        return call('DELETE', '/v1/privacy/data', undefined, device);
      }, null),
  };
  attached.set(client, controls);
  return controls;
}

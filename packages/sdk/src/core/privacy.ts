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
  const url = (path: string) => `${options.endpoint.replace(/\/+$/, '')}${path}`;
  const send = (method: string, path: string, credential: string, body?: object) =>
    platform.fetch(url(path), {
      method,
      headers: {
        authorization: `Bearer ${credential}`,
        // Only with a body: the api refuses an empty one that says it is JSON.
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  let token: string | null = null;

  const register = async (): Promise<string | null> => {
    const res = await send('POST', '/v1/devices/register', options.key, { device_id: await client.deviceId });
    token = res.status === 200 ? ((await res.json()) as { token?: string }).token || null : null;
    if (token) await platform.store?.set(TOKEN_KEY, token);
    return token;
  };

  const call = async (method: string, path: string, body?: object): Promise<PrivacyRequest | null> => {
    await client.ready;
    token ??= (await platform.store?.get(TOKEN_KEY)) || null;
    for (let attempt = 0; attempt < 2; attempt++) {
      if ((!token || attempt > 0) && !(await register())) return null;
      const res = await send(method, path, token!, body);
      if (res.status === 401) continue; // revoked (the app deleted this device's data): register again
      return res.status < 300 ? ((await res.json()) as PrivacyRequest) : null;
    }
    return null;
  };
  const safely = <T>(run: () => Promise<T>, fallback: T) => run().catch(() => fallback);

  /** Sends the settings: an opt-out change, and consent the server has not heard yet. */
  const sync = (change: { opted_out?: boolean }) =>
    safely(async () => {
      await client.ready;
      const { analytics, crashReports, synced } = client.consent;
      const pending = synced === false;
      const settings = {
        ...change,
        ...(pending && analytics !== undefined ? { analytics_enabled: analytics } : {}),
        ...(pending && crashReports !== undefined ? { crash_reports_enabled: crashReports } : {}),
      };
      if (Object.keys(settings).length === 0) return true;
      if (!(await call('PUT', '/v1/privacy/settings', settings))) return false;
      if (pending) {
        client.consent.synced = true;
        client.saveConsent();
      }
      return true;
    }, false);

  client.onPrivacyChange = (change) => void sync(change);
  void sync({}); // a choice made while the server could not be reached is told to it now

  const controls: PrivacyControls = {
    setConsent: (choice) => {
      client.onPrivacyChange = null; // this call syncs itself, and reports how that went
      client.setConsent(choice);
      client.onPrivacyChange = (change) => void sync(change);
      return sync({});
    },
    requestDataExport: () => safely(() => call('GET', '/v1/privacy/export'), null),
    requestDataDeletion: () =>
      safely(async () => {
        const answer = await call('DELETE', '/v1/privacy/data');
        if (!answer) return null;
        token = null;
        await platform.store?.set(TOKEN_KEY, '');
        await client.reset();
        return answer;
      }, null),
  };
  attached.set(client, controls);
  return controls;
}

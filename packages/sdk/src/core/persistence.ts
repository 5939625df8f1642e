import type { Platform } from './options.ts';

// What the client keeps on the device between runs (the event queue keeps its own, queue.ts):
// the install's id, the opt-out, the consent and the crash reports not sent yet. A store that
// fails never breaks the app: the client then works from memory.

export const DEVICE_KEY = 'sightline:device';
export const OPT_OUT_KEY = 'sightline:opted-out';
export const CRASH_KEY = 'sightline:crashes';
export const CONSENT_KEY = 'sightline:consent';

/** A crash report waiting to be sent; `id` lets the server store one sent twice once. */
export interface QueuedCrash {
  id: string;
  body: Record<string, unknown>;
}

/**
 * An anonymous id for this install (`fresh`: a new one), hashed with the app's key before it
 * leaves the device.
 */
export async function loadDeviceId(platform: Platform, appKey: string, fresh: boolean): Promise<string> {
  let raw: string | null = null;
  try {
    raw = fresh ? null : ((await platform.store?.get(DEVICE_KEY)) ?? null);
    if (!raw) {
      raw = platform.uuid();
      await platform.store?.set(DEVICE_KEY, raw);
    }
  } catch {
    raw ??= platform.uuid();
  }
  return platform.sha256Hex(`${appKey}:${raw}`);
}

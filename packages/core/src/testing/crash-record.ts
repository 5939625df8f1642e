import { randomUUID } from 'node:crypto';
import type { CrashRecord } from '../ingest/crash.ts';

/** A crash report as the buffer carries it: a TypeError in `loadUser`, fields overridable. */
export function testCrashRecord(app: { orgId: string; appId: number }, extra: Partial<CrashRecord> = {}): CrashRecord {
  return {
    id: randomUUID(),
    orgId: app.orgId,
    appId: app.appId,
    source: 'sightline',
    occurredAt: Date.now() - 1000,
    receivedAt: Date.now(),
    deviceId: 'device-1',
    sessionId: null,
    userId: null,
    appVersion: '2.4.0',
    environment: 'production',
    crashType: 'TypeError',
    level: 'fatal',
    message: "Cannot read properties of undefined (reading 'id')",
    stackTrace:
      "TypeError: Cannot read properties of undefined (reading 'id')\n    at loadUser (/srv/app/dist/users.js:42:17)",
    frames: null,
    sdkFingerprint: null,
    context: {},
    breadcrumbs: null,
    tags: null,
    os: null,
    osVersion: null,
    browser: null,
    deviceModel: null,
    country: null,
    // Unless said otherwise, a fatal report is a crash and any other level a handled error.
    handled: (extra.level ?? 'fatal') !== 'fatal',
    ...extra,
  };
}

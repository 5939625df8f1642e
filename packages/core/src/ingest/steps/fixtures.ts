import type { Principal } from '../../keys/resolver.ts';
import type { IngestTarget } from '../directory.ts';
import type { RequestFacts } from '../request.ts';

// One app, request and sender for the step and pipeline tests (imported by tests only).

export const now = Date.UTC(2026, 10, 22, 12);

export const app: IngestTarget = {
  orgId: '00000000-0000-4000-8000-000000000001',
  appId: 7,
  bundleId: 'com.example',
  allowedOrigins: [],
  sampleRate: 1,
  ipPolicy: 'discard',
  scrubFields: ['nickname'],
  rawEventRetentionDays: 7,
  deviceIdSalt: 'salt',
  monthlyEventQuota: 1000,
  monthlyCrashQuota: 100,
};

export const facts: RequestFacts = {
  receivedAt: now,
  ip: '203.0.113.50',
  traits: { browser: 'Firefox', os: 'Linux', osVersion: null, deviceType: 'desktop', country: 'DE' },
};

export const principal: Principal = {
  kind: 'ingest_key',
  credentialId: 'key-1',
  orgId: app.orgId,
  appId: app.appId,
  scopes: ['ingest'],
  orgSuspended: false,
};

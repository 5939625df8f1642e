import { AlertKind, ApiScope, ChannelKind, CrashStatus, GdprKind, IpPolicy, Plan, Platform, Role } from '@sightline/db';
import { describe, expect, it } from 'vitest';
import {
  ALERT_KINDS,
  API_SCOPES,
  CHANNEL_KINDS,
  CRASH_STATUSES,
  IP_POLICIES,
  PLANS,
  PLATFORMS,
  PRIVACY_REQUEST_KINDS,
  ROLES,
} from './index.ts';

// The contracts write the database's enums out (browsers cannot load the Prisma runtime).
// A value added to the schema and not here would be refused by every input schema, and one
// removed there would pass the schemas and fail in the database: both sides must agree.
describe('contracts enums against the database schema', () => {
  const values = (e: Record<string, string>) => [...Object.values(e)].sort();

  it.each([
    ['ROLES', ROLES, Role],
    ['PLANS', PLANS, Plan],
    ['PLATFORMS', PLATFORMS, Platform],
    ['API_SCOPES', API_SCOPES, ApiScope],
    ['IP_POLICIES', IP_POLICIES, IpPolicy],
    ['CRASH_STATUSES', CRASH_STATUSES, CrashStatus],
    ['CHANNEL_KINDS', CHANNEL_KINDS, ChannelKind],
    ['PRIVACY_REQUEST_KINDS', PRIVACY_REQUEST_KINDS, GdprKind],
  ] as const)('%s lists exactly the database values', (_name, list, dbEnum) => {
    expect([...list].sort()).toEqual(values(dbEnum));
  });

  it('offers as rule kinds only alert kinds the database knows (QUOTA alerts are the system’s own)', () => {
    expect(values(AlertKind)).toEqual(expect.arrayContaining([...ALERT_KINDS]));
  });
});

// @sightline/core/contracts: what the api, the worker and the portal agree on (enums, role
// ranks, input schemas). Browser-safe by rule: files here import only zod and each other,
// never node:*, pg or the Prisma runtime, because the portal bundles them.

export * from './alerts.ts';
export * from './analytics.ts';
export * from './auth.ts';
export * from './crashes.ts';
export * from './privacy.ts';
export * from './tenancy.ts';
export * from './version.ts';

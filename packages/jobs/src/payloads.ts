import { z } from 'zod';

// One schema per job name for every queue: what the producer sends is typed from it and
// what the worker reads is parsed with it (jobData). Scheduled jobs (sweeps, aggregation,
// maintenance) carry nothing; their schema says so, so that a payload meant for another job
// fails instead of being silently ignored.

/** The payload of a job that carries no data (BullMQ stores it as `{}`). */
export const emptyPayload = z.object({}).strict();

/** Row ids are PostgreSQL uuids; anything else could only fail in the database, on every retry. */
const rowId = z.guid();

export const ALERT_JOBS = { deliver: 'deliver', sweep: 'sweep' } as const;

export const alertPayloads = {
  [ALERT_JOBS.deliver]: z.object({ deliveryId: rowId }),
  [ALERT_JOBS.sweep]: emptyPayload,
} as const;

export type AlertDeliveryPayload = z.infer<(typeof alertPayloads)['deliver']>;

export const PRIVACY_JOBS = { delete: 'delete-subject', export: 'export-subject', sweep: 'privacy-sweep' } as const;

const privacyRequest = z.object({ requestId: rowId });

export const privacyPayloads = {
  [PRIVACY_JOBS.delete]: privacyRequest,
  [PRIVACY_JOBS.export]: privacyRequest,
  [PRIVACY_JOBS.sweep]: emptyPayload,
} as const;

export type PrivacyRequestPayload = z.infer<typeof privacyRequest>;

export const ANALYTICS_JOBS = { aggregate: 'aggregate' } as const;

export const analyticsPayloads = {
  [ANALYTICS_JOBS.aggregate]: emptyPayload,
} as const;

export const MAINTENANCE_JOBS = {
  createPartitions: 'create-event-partitions',
  flushLastUsed: 'flush-credential-last-used',
  flushUsage: 'flush-usage-counters',
  retention: 'retention',
} as const;

export const maintenancePayloads = {
  [MAINTENANCE_JOBS.createPartitions]: emptyPayload,
  [MAINTENANCE_JOBS.flushLastUsed]: emptyPayload,
  [MAINTENANCE_JOBS.flushUsage]: emptyPayload,
  [MAINTENANCE_JOBS.retention]: emptyPayload,
} as const;

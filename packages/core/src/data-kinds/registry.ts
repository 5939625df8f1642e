import type { DataKind, TableOutsideDataKinds } from './types.ts';

export type * from './types.ts';

// Every kind of data Sightline keeps about devices and the people using them: its buffer
// stream, its writer, its tables, how long each table is kept, what a subject's export reads
// and how a subject's deletion removes it. Retention (privacy/retention.ts), subject deletion
// and export, and an organization's export (privacy/subject-*.ts) iterate this list;
// registry.int.test.ts fails when the database has a table holding device or user ids that
// is not named here.
//
// Order matters: an app's tables are deleted in this order (children before parents, then
// the `last` ones), retention and the exports go through them in this order, and a subject's
// deletion runs the kinds' steps in this order (credentials first, so the device stops
// sending; the device record `last`).

/** Hourly rollups are a drill-down; the daily ones carry the long history. */
export const HOURLY_ROLLUP_DAYS = 90;
/** The delivery log of alerts. */
export const DELIVERY_LOG_DAYS = 90;

const ofApp = 'org_id = $1 AND app_id = $2';
const ofAppGroups = 'org_id = $1 AND group_id IN (SELECT id FROM crash_groups WHERE org_id = $1 AND app_id = $2)';
const untilAppDeleted = { by: 'kept', why: 'kept as long as the app; a subject deletion removes its own' } as const;

export const DATA_KINDS: readonly DataKind[] = [
  {
    name: 'devices',
    stream: null,
    writer: 'the api, when a device registers (POST /v1/devices) or changes its privacy settings',
    tables: [
      {
        name: 'device_tokens',
        keys: ['id'],
        subjects: { device_id: 'device-record' },
        retention: untilAppDeleted,
        // Deleting an app's data keeps its installations working.
        app: { where: ofApp, on: 'app-deleted', last: true },
        orgExport: { none: 'credentials (token hashes) are never exported' },
      },
      {
        name: 'devices',
        keys: ['id'],
        subjects: { device_id_hash: 'device', user_id: 'app-user' },
        retention: untilAppDeleted,
        // ...and a device that opted out stays opted out.
        app: { where: ofApp, on: 'app-deleted', last: true },
        orgExport: { omit: [] },
      },
    ],
    subjectExport: [
      {
        section: 'devices',
        table: 'devices',
        rows: { of: 'devices', where: 'org_id = $1 AND app_id = $2 AND device_id_hash = ANY($3::text[])' },
        select: (where) =>
          `SELECT device_id_hash AS device_id, user_id, opted_out, analytics_enabled, crashes_enabled, last_app_version, os,
         os_version, model, country, locale, first_seen_at, last_seen_at
       FROM devices WHERE ${where}`,
      },
    ],
    subjectDeletion: [
      {
        step: 'device_tokens',
        table: 'device_tokens',
        rows: {
          of: 'devices',
          where: `org_id = $1 AND app_id = $2 AND device_id IN (SELECT id FROM devices
           WHERE org_id = $1 AND app_id = $2 AND device_id_hash = ANY($3::text[]))`,
        },
      },
      {
        step: 'device',
        table: 'devices',
        rows: { of: 'devices', where: 'org_id = $1 AND app_id = $2 AND device_id_hash = ANY($3::text[])' },
        last: true,
      },
    ],
  },
  {
    name: 'events',
    stream: 'events',
    writer: 'the worker\'s writer of stream "events" (COPY into day partitions)',
    tables: [
      {
        name: 'events',
        keys: ['org_id', 'app_id', 'occurred_at', 'id'],
        subjects: { device_id: 'device', user_id: 'app-user' },
        rawRows: true,
        partitionedByDay: true,
        retention: { by: 'app-setting', setting: 'raw_event_retention_days', column: 'occurred_at' },
        app: { where: ofApp, on: 'both' },
        orgExport: { omit: [] },
      },
    ],
    subjectExport: [
      {
        section: 'events',
        table: 'events',
        rows: { of: 'subject' },
        select: (where) =>
          `SELECT id, occurred_at, received_at, device_id, type, name, session_id, user_id, app_version, environment, os,
         os_version, browser, device_model, country, value, data
       FROM events WHERE ${where} ORDER BY occurred_at, id`,
      },
    ],
    // One pass per day partition: no index leads to a device's events.
    subjectDeletion: [{ step: 'events', custom: 'event-partitions', tables: ['events'] }],
  },
  {
    name: 'sessions',
    stream: null,
    writer: 'derived from events by the events writer (analytics session derivation)',
    tables: [
      {
        name: 'sessions',
        keys: ['org_id', 'app_id', 'id'],
        subjects: { device_id: 'device', user_id: 'app-user' },
        rawRows: true,
        retention: { by: 'app-setting', setting: 'raw_event_retention_days', column: 'started_at' },
        app: { where: ofApp, on: 'both' },
        orgExport: { omit: [] },
      },
    ],
    subjectExport: [
      {
        section: 'sessions',
        table: 'sessions',
        rows: { of: 'subject' },
        select: (where) =>
          `SELECT id, device_id, user_id, app_version, os, browser, country, started_at, ended_at, duration_ms, event_count,
         screen_count, entry_screen, exit_screen, crashed
       FROM sessions WHERE ${where} ORDER BY started_at`,
      },
    ],
    subjectDeletion: [{ step: 'sessions', table: 'sessions', rows: { of: 'subject' } }],
  },
  {
    name: 'crashes',
    stream: 'crashes',
    writer: 'the worker\'s writer of stream "crashes" (stores and groups reports)',
    tables: [
      {
        name: 'crash_reports',
        keys: ['id'],
        subjects: { device_id: 'device', user_id: 'app-user' },
        rawRows: true,
        retention: { by: 'app-setting', setting: 'crash_report_retention_days', column: 'occurred_at' },
        app: { where: ofApp, on: 'both' },
        orgExport: { omit: [] },
      },
      {
        name: 'crash_group_devices',
        keys: ['group_id', 'device_id'],
        subjects: { device_id: 'device' },
        retention: { by: 'kept', why: "a group's affected devices are counted for as long as the group lives" },
        app: { where: ofAppGroups, on: 'both' },
        orgExport: { none: "derived from the reports: a group's affected device count" },
      },
      {
        name: 'crash_group_comments',
        keys: ['id'],
        subjects: { author_id: 'portal-user' },
        retention: { by: 'kept', why: 'written by the team, kept with their group' },
        app: { where: ofAppGroups, on: 'both' },
        orgExport: { omit: [] },
      },
      {
        name: 'crash_groups',
        keys: ['id'],
        subjects: { assignee_id: 'portal-user' },
        retention: { by: 'kept', why: "groups are kept for ever; a subject's sample is replaced on deletion" },
        app: { where: ofApp, on: 'both' },
        orgExport: { omit: [] },
      },
    ],
    subjectExport: [
      {
        section: 'crashReports',
        table: 'crash_reports',
        rows: { of: 'subject-crash' },
        select: (where) =>
          `SELECT id, occurred_at, received_at, device_id, session_id, user_id, app_version, environment, crash_type, level,
         message, stack_trace, context, breadcrumbs, tags, os, os_version, browser, device_model
       FROM crash_reports WHERE ${where} ORDER BY occurred_at`,
      },
    ],
    subjectDeletion: [
      // Before the reports go: a group whose sample is the subject's gets another one.
      { step: 'crash_samples', custom: 'crash-samples', tables: ['crash_groups', 'crash_reports'] },
      { step: 'crash_reports', table: 'crash_reports', rows: { of: 'subject-crash' } },
      {
        step: 'crash_group_devices',
        table: 'crash_group_devices',
        rows: {
          of: 'devices',
          where:
            'org_id = $1 AND device_id = ANY($3::text[]) AND group_id IN (SELECT id FROM crash_groups WHERE org_id = $1 AND app_id = $2)',
        },
      },
    ],
  },
  {
    name: 'aggregates',
    stream: null,
    writer: 'the aggregator job (analytics rollups), from events',
    tables: [
      {
        name: 'rollups_hourly',
        keys: ['org_id', 'app_id', 'bucket', 'metric', 'dimension'],
        retention: {
          by: 'app-setting',
          setting: 'aggregate_retention_days',
          column: 'bucket',
          capDays: HOURLY_ROLLUP_DAYS,
        },
        app: { where: ofApp, on: 'both' },
        orgExport: { none: 'a drill-down of rollups_daily, which is exported' },
      },
      {
        name: 'rollups_daily',
        keys: ['org_id', 'app_id', 'day', 'metric', 'dimension'],
        retention: { by: 'app-setting', setting: 'aggregate_retention_days', column: 'day', date: true },
        app: { where: ofApp, on: 'both' },
        orgExport: { omit: ['sketch'] },
      },
      {
        name: 'device_days',
        keys: ['org_id', 'app_id', 'day', 'device_id'],
        subjects: { device_id: 'device' },
        retention: { by: 'app-setting', setting: 'aggregate_retention_days', column: 'day', date: true },
        app: { where: ofApp, on: 'both' },
        orgExport: { none: 'derived from events, which are exported' },
      },
      {
        name: 'rollup_dirty_hours',
        keys: ['org_id', 'app_id', 'hour'],
        retention: { by: 'kept', why: 'a work list: the aggregator removes an hour once it is rolled up' },
        app: { where: ofApp, on: 'both' },
        orgExport: { none: "the aggregator's work list" },
      },
    ],
    subjectExport: [
      {
        section: 'activeDays',
        table: 'device_days',
        rows: { of: 'devices', where: 'org_id = $1 AND app_id = $2 AND device_id = ANY($3::text[])' },
        select: (where) =>
          `SELECT device_id, day, app_version, os, browser, country, device_model, crashed FROM device_days
       WHERE ${where} ORDER BY device_id, day`,
      },
    ],
    subjectDeletion: [
      {
        step: 'device_days',
        table: 'device_days',
        rows: { of: 'devices', where: 'org_id = $1 AND app_id = $2 AND device_id = ANY($3::text[])' },
        // An aggregation that read the subject's events before they went may still be writing.
        waitForRollups: true,
      },
    ],
  },
  {
    name: 'alert outbox',
    stream: null,
    writer: "the crashes writer, in the crash batch's transaction",
    tables: [
      {
        name: 'alert_outbox',
        keys: ['id'],
        retention: { by: 'kept', why: "a work list: removed once the batch's alerts are queued" },
        app: { where: ofApp, on: 'both' },
        orgExport: { none: "the alerts' work list" },
      },
    ],
    subjectExport: [],
    subjectDeletion: [],
  },
  {
    name: 'privacy requests and exports',
    stream: null,
    writer: 'the api (requests) and the privacy export job (bundles)',
    tables: [
      {
        name: 'gdpr_export_files',
        keys: ['request_id', 'part'],
        retention: {
          by: 'age',
          days: 0,
          where: "request_id IN (SELECT id FROM gdpr_requests WHERE kind = 'EXPORT' AND result_expires_at < $1)",
        },
        // A deleted app's bundles expire within a day anyway (retention above).
        app: {
          where: `org_id = $1 AND request_id IN (SELECT id FROM gdpr_requests
       WHERE org_id = $1 AND kind = 'EXPORT' AND status = 'COMPLETED' AND (app_id = $2 OR scope = 'ORG'))`,
          on: 'app-data-deleted',
        },
        orgExport: { none: 'the export bundles themselves' },
      },
      {
        name: 'gdpr_requests',
        keys: ['id'],
        subjects: { subject_key: 'request-subject', requested_by_id: 'actor' },
        retention: { by: 'kept', why: 'the record that a request was made and carried out' },
        app: { kept: 'the record that a request was made and carried out' },
        orgExport: { omit: ['progress'] },
      },
    ],
    subjectExport: [],
    subjectDeletion: [
      // Finished exports holding the subject's data are expired and their bundles deleted.
      { step: 'exports', custom: 'exports', tables: ['gdpr_requests', 'gdpr_export_files'] },
    ],
  },
  {
    name: 'dead letters',
    stream: null,
    writer: 'the writers of every buffer stream, for entries they could not store (Redis, not PostgreSQL)',
    tables: [],
    subjectExport: [],
    subjectDeletion: [{ step: 'dead_letters', custom: 'dead-letters', tables: [] }],
  },
  {
    name: 'alert deliveries',
    stream: null,
    writer: 'the alerts job',
    tables: [
      {
        name: 'notification_deliveries',
        keys: ['id'],
        retention: {
          by: 'age',
          days: DELIVERY_LOG_DAYS,
          where: "created_at < $1 AND status NOT IN ('PENDING', 'SENDING', 'HELD')",
        },
        app: { kept: "an organization's delivery log, not an app's; expires with age" },
        orgExport: { none: 'the delivery log of alerts, kept 90 days' },
      },
    ],
    subjectExport: [],
    subjectDeletion: [],
  },
];

/** Tables holding identifiers of people that are not telemetry, and why they stay out. */
export const TABLES_OUTSIDE_DATA_KINDS: readonly TableOutsideDataKinds[] = [
  ...(['accounts', 'auth_sessions', 'password_reset_tokens', 'memberships'] as const).map((name) => ({
    name,
    subjects: { user_id: 'portal-user' } as const,
    why: "a Sightline account's sign-in and membership data, removed with the account (ON DELETE CASCADE)",
  })),
  {
    name: 'audit_logs',
    subjects: { actor_id: 'actor' },
    why: "the organization's audit trail; a device appears only by its registration id, gone with the registration",
  },
];

/** Every table of every kind, in registry order. */
export const dataKindTables = () => DATA_KINDS.flatMap((kind) => kind.tables);

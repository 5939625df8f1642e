import type { BufferStreamName } from './streams.ts';

// The shape of a data-kind registry entry (registry.ts). Everything here is data: retention,
// subject export and subject deletion read it and run the SQL it names, so the privacy code
// keeps no table list of its own. SQL conditions use fixed parameters, named where they apply.

/** What a column that identifies someone holds. */
export type SubjectRole =
  /** A device's stored id (salted and hashed by ingestion). */
  | 'device'
  /** The app's own user id, as the SDK sends it (`user_id`). */
  | 'app-user'
  /** The id (uuid) of a `devices` row: a device registration. */
  | 'device-record'
  /** A GDPR request's subject: a device's stored id or an app user id. */
  | 'request-subject'
  /** Who asked or acted: a Sightline account, an api key, a device registration or the system. */
  | 'actor'
  /** A Sightline account (`users.id`): a person using the portal, not a telemetry subject. */
  | 'portal-user';

/** The app settings that bound how long a table's rows are kept. */
export type RetentionSetting = 'raw_event_retention_days' | 'crash_report_retention_days' | 'aggregate_retention_days';

export type TableRetention =
  /**
   * Rows older than the app's setting go, by `column` (a `date` column is compared with a
   * day, not an instant). `capDays` bounds it further. A table partitioned by day loses
   * whole days once every app is done with them.
   */
  | { by: 'app-setting'; setting: RetentionSetting; column: string; date?: boolean; capDays?: number }
  /** Rows matching `where` ($1: now less `days`) go, whatever their app. */
  | { by: 'age'; days: number; where: string }
  /** Kept until the app or the subject is deleted. */
  | { by: 'kept'; why: string };

/** What happens to a table when its app is deleted, or when its app's data is deleted. */
export type AppDataDeletion =
  | {
      /** The app's rows: $1 org, $2 app. */
      where: string;
      /** 'app-deleted': only with the app; 'app-data-deleted': only on "delete this app's data". */
      on: 'both' | 'app-deleted' | 'app-data-deleted';
      /** Deleted after every other table (parents after children). */
      last?: boolean;
    }
  | { kept: string };

/** Which rows are the subject's, for a deletion step or an export section. */
export type SubjectRows =
  /** Raw rows by `device_id` and `user_id` (subjects.ts): $1 org, $2 app, $3 devices, $4 user id. */
  | { of: 'subject' }
  /** Likewise for crash reports, less what a device subject cannot own (subjects.ts). */
  | { of: 'subject-crash' }
  /** A condition on the subject's devices: $1 org, $2 app, $3 devices (text[]). */
  | { of: 'devices'; where: string };

export interface DataKindTable {
  name: string;
  /** The columns deletions batch by (a key of the table). */
  keys: readonly string[];
  /** Columns that identify someone, and what they hold. */
  subjects?: Readonly<Record<string, SubjectRole>>;
  /** Rows as a device sent them, each naming its device (`device_id`) and user (`user_id`) then. */
  rawRows?: boolean;
  /** Range-partitioned by day for all apps (the event store's partitions, packages/db). */
  partitionedByDay?: boolean;
  retention: TableRetention;
  app: AppDataDeletion;
  /** Its section of an organization's export (`omit`: columns left out), or why it has none. */
  orgExport: { omit: readonly string[] } | { none: string };
}

/**
 * One step of a subject's deletion. `step` is recorded in a request's progress when done,
 * so a resumed job skips it: never rename one. `last`: after every other kind's steps.
 */
export type SubjectDeletionStep =
  | { step: string; table: string; rows: SubjectRows; waitForRollups?: boolean; last?: boolean }
  /** Carried out by subject-deletion.ts's function of that name; `tables` are the ones it touches. */
  | {
      step: string;
      custom: 'event-partitions' | 'crash-samples' | 'exports' | 'dead-letters';
      tables: readonly string[];
      last?: boolean;
    };

/** One section of a subject's export bundle: `select` gets the condition `rows` makes. */
export interface SubjectExportSection {
  section: string;
  table: string;
  rows: SubjectRows;
  select: (where: string) => string;
}

export interface DataKind {
  name: string;
  /** The ingestion buffer stream the api appends it to, or null when it is not buffered. */
  stream: BufferStreamName | null;
  /** Who writes it (the stream's writer in the worker, for a buffered kind). */
  writer: string;
  tables: readonly DataKindTable[];
  /** Sections of a subject's export, in bundle order. */
  subjectExport: readonly SubjectExportSection[];
  subjectDeletion: readonly SubjectDeletionStep[];
}

/** A table holding identifiers that deliberately takes no part in retention or GDPR here. */
export interface TableOutsideDataKinds {
  name: string;
  subjects: Readonly<Record<string, SubjectRole>>;
  why: string;
}

import { describe, expect, it } from 'vitest';
import { DELETION_STEPS } from '../privacy/subject-deletion.ts';
import { APP_DATA_TABLES, appTables } from '../privacy/retention.ts';
import { isSubjectColumn, registryProblems, type SchemaColumn } from './check.ts';
import { DATA_KINDS, dataKindTables, TABLES_OUTSIDE_DATA_KINDS } from './registry.ts';
import { BUFFER_STREAMS } from './streams.ts';
import type { DataKind } from './types.ts';

// The check registry.int.test.ts runs against the real schema, shown here to fail on the
// mistakes it exists for; and the orders the privacy jobs take from the registry.

/** A schema exactly as the registry describes it (plus a table holding nobody). */
const agreeing = (): SchemaColumn[] => [
  ...[...dataKindTables(), ...TABLES_OUTSIDE_DATA_KINDS].flatMap((table) => [
    { table: table.name, column: 'org_id' },
    ...Object.keys(table.subjects ?? {}).map((column) => ({ table: table.name, column })),
  ]),
  { table: 'usage_counters', column: 'org_id' },
];

describe('registryProblems', () => {
  it('finds nothing when the schema and the registry agree', () => {
    expect(registryProblems(agreeing())).toEqual([]);
  });

  it('names a table holding device or user ids that no data kind lists', () => {
    const schema = [
      ...agreeing(),
      { table: 'replays', column: 'device_id' },
      { table: 'replays', column: 'payload' },
      { table: 'feedback', column: 'reporter_user_id' },
    ];
    const problems = registryProblems(schema);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('table "replays" holds device_id but is in no data kind');
    expect(problems[1]).toContain('table "feedback" holds reporter_user_id');
  });

  it('names a table the registry lists but the database does not have', () => {
    const schema = agreeing().filter((c) => c.table !== 'device_days');
    expect(registryProblems(schema)).toEqual([`registry names table "device_days", which the database does not have`]);
  });

  it('names a new identifying column of a listed table', () => {
    const schema = [...agreeing(), { table: 'rollups_daily', column: 'user_id' }];
    expect(registryProblems(schema)).toEqual([
      `"rollups_daily.user_id" is not among the subject columns of "rollups_daily" in the registry`,
    ]);
  });

  it('names a kind holding device ids that no deletion step reaches', () => {
    const replays: DataKind = {
      name: 'replays',
      stream: null,
      writer: 'a test',
      tables: [
        {
          name: 'replays',
          keys: ['id'],
          subjects: { device_id: 'device' },
          retention: { by: 'kept', why: 'a test' },
          app: { kept: 'a test' },
          orgExport: { none: 'a test' },
        },
      ],
      subjectExport: [],
      subjectDeletion: [],
    };
    const schema = [...agreeing(), { table: 'replays', column: 'device_id' }];
    expect(registryProblems(schema, [...DATA_KINDS, replays])).toEqual([
      'table "replays" holds device_id but no subject deletion step reaches it',
    ]);
  });

  it('names a table listed twice', () => {
    const twice = { ...DATA_KINDS[0]!, name: 'copy' };
    expect(registryProblems(agreeing(), [...DATA_KINDS, twice])).toContain(
      'table "device_tokens" is named twice (devices, copy)',
    );
  });
});

describe('subject columns', () => {
  it('are the ids of devices, app users, requests and actors, by name', () => {
    for (const column of ['device_id', 'device_id_hash', 'user_id', 'subject_key', 'actor_id', 'author_user_id']) {
      expect(isSubjectColumn(column), column).toBe(true);
    }
    for (const column of ['org_id', 'app_id', 'id', 'session_id', 'group_id']) {
      expect(isSubjectColumn(column), column).toBe(false);
    }
  });
});

describe('the orders the privacy jobs take from the registry', () => {
  it("runs a subject's deletion steps under the names a resumed request recorded", () => {
    expect(DELETION_STEPS).toEqual([
      'device_tokens',
      'events',
      'sessions',
      'crash_samples',
      'crash_reports',
      'crash_group_devices',
      'device_days',
      'exports',
      'dead_letters',
      'device',
    ]);
  });

  it("deletes an app's tables children first and its device registrations last", () => {
    const deleted = APP_DATA_TABLES.map(([table]) => table);
    expect(deleted).toEqual([
      'events',
      'sessions',
      'crash_reports',
      'crash_group_devices',
      'crash_group_comments',
      'crash_groups',
      'rollups_hourly',
      'rollups_daily',
      'device_days',
      'rollup_dirty_hours',
      'alert_outbox',
      'device_tokens',
      'devices',
    ]);
    // "Delete this app's data" keeps the registrations and takes the app's export bundles.
    expect(appTables('app-data-deleted').map(([table]) => table)).toEqual([
      ...deleted.slice(0, -2),
      'gdpr_export_files',
    ]);
  });

  it('gives every buffer stream a kind, so a new stream cannot skip retention and GDPR', () => {
    const streams = DATA_KINDS.flatMap((kind) => (kind.stream === null ? [] : [kind.stream]));
    expect(streams.toSorted()).toEqual(Object.keys(BUFFER_STREAMS).toSorted());
  });

  it('buffers exactly the kinds that have a stream', () => {
    expect(DATA_KINDS.filter((kind) => kind.stream !== null).map((kind) => [kind.name, kind.stream])).toEqual([
      ['events', 'events'],
      ['crashes', 'crashes'],
    ]);
  });
});

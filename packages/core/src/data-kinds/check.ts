import { DATA_KINDS, TABLES_OUTSIDE_DATA_KINDS } from './registry.ts';
import type { DataKind, SubjectRole, TableOutsideDataKinds } from './types.ts';

// Holds the registry to the database: registry.int.test.ts reads the real schema and fails
// with what this returns. A pure function, so its own test can show that it does fail.

/** Columns that can say who someone is, by name (`*_device_id` and `*_user_id` count too). */
export const SUBJECT_COLUMN_NAMES: readonly string[] = [
  'device_id',
  'device_id_hash',
  'user_id',
  'app_user_id',
  'subject_key',
  'requested_by_id',
  'actor_id',
];

export const isSubjectColumn = (column: string): boolean =>
  SUBJECT_COLUMN_NAMES.includes(column) || /_(device|user)_id$/.test(column);

/** Roles whose rows a subject's deletion must reach. */
const ERASABLE: readonly SubjectRole[] = ['device', 'app-user'];

export interface SchemaColumn {
  table: string;
  column: string;
}

/**
 * What is wrong between the registry and a database schema (every column of every table,
 * partitions left out): each problem names its table. Empty when they agree.
 */
export function registryProblems(
  schema: readonly SchemaColumn[],
  kinds: readonly DataKind[] = DATA_KINDS,
  outside: readonly TableOutsideDataKinds[] = TABLES_OUTSIDE_DATA_KINDS,
): string[] {
  const problems: string[] = [];
  const columns = new Map<string, Set<string>>();
  for (const { table, column } of schema) columns.set(table, (columns.get(table) ?? new Set()).add(column));

  const declared = new Map<string, { kind: string; subjects: Readonly<Record<string, SubjectRole>> }>();
  const declare = (table: string, kind: string, subjects: Readonly<Record<string, SubjectRole>>) => {
    if (declared.has(table)) problems.push(`table "${table}" is named twice (${declared.get(table)?.kind}, ${kind})`);
    declared.set(table, { kind, subjects });
  };
  for (const kind of kinds) for (const table of kind.tables) declare(table.name, kind.name, table.subjects ?? {});
  for (const table of outside) declare(table.name, 'outside the data kinds', table.subjects);

  for (const [table, { subjects }] of declared) {
    const present = columns.get(table);
    if (!present) {
      problems.push(`registry names table "${table}", which the database does not have`);
      continue;
    }
    for (const column of Object.keys(subjects)) {
      if (!present.has(column))
        problems.push(`registry names column "${table}.${column}", which the database does not have`);
    }
  }

  for (const [table, present] of columns) {
    const identifying = [...present].filter(isSubjectColumn);
    if (identifying.length === 0) continue;
    const entry = declared.get(table);
    if (!entry) {
      problems.push(
        `table "${table}" holds ${identifying.join(', ')} but is in no data kind: add it to DATA_KINDS (or TABLES_OUTSIDE_DATA_KINDS, saying why) in packages/core/src/data-kinds/registry.ts`,
      );
      continue;
    }
    for (const column of identifying) {
      if (!(column in entry.subjects))
        problems.push(`"${table}.${column}" is not among the subject columns of "${table}" in the registry`);
    }
  }

  const reached = new Set(
    kinds.flatMap((kind) => kind.subjectDeletion.flatMap((step) => ('custom' in step ? step.tables : [step.table]))),
  );
  for (const kind of kinds) {
    for (const table of kind.tables) {
      const erasable = Object.entries(table.subjects ?? {}).filter(([, role]) => ERASABLE.includes(role));
      if (erasable.length > 0 && !reached.has(table.name)) {
        problems.push(
          `table "${table.name}" holds ${erasable.map(([c]) => c).join(', ')} but no subject deletion step reaches it`,
        );
      }
    }
  }
  return problems;
}

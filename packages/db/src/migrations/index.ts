export { ensureDatabaseExists } from './ensure-database.ts';
export { migrationStatus, type MigrationStatus } from './status.ts';
export { applyMigrations, readMigrations, MIGRATIONS_DIR, MigrationError, type Migration, type MigrateResult } from './runner.ts';

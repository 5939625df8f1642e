export { MAINTENANCE_JOBS, startMaintenance, type MaintenanceDeps } from './jobs/maintenance.ts';
export { startIngestWriters, type IngestWriterOptions } from './jobs/ingest-writers.ts';

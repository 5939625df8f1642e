export { MAINTENANCE_JOBS } from '@sightline/jobs';
export { startMaintenance, type MaintenanceDeps } from './jobs/maintenance.ts';
export { startIngestWriters, type IngestWriterOptions } from './jobs/ingest-writers.ts';

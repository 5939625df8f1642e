export { MAINTENANCE_JOBS } from '@sightline/jobs';
export { startMaintenance, type MaintenanceDeps } from './jobs/maintenance.ts';
export { startIngestWriters, type IngestWriterOptions } from './jobs/ingest-writers.ts';
// The end-to-end tests (tests/e2e) run these consumers in-process beside the api.
export { startAlerts, type AlertDeps } from './jobs/alerts.ts';
export { startPrivacy } from './jobs/privacy.ts';

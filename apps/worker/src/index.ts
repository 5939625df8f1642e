export { MAINTENANCE_JOBS, startMaintenance, type MaintenanceDeps } from './jobs/maintenance.ts';

// @sightline/jobs: everything about BullMQ that both sides of a queue share — queue names,
// each job's payload schema, the producers. Core stays free of BullMQ: where a core function
// needs a queue it declares a port (PrivacyAdmission) that the producers here satisfy.
export { QUEUES, type QueueName } from './queues.ts';
export { jobData } from './job-data.ts';
export {
  ALERT_JOBS,
  alertPayloads,
  ANALYTICS_JOBS,
  analyticsPayloads,
  emptyPayload,
  MAINTENANCE_JOBS,
  maintenancePayloads,
  PRIVACY_JOBS,
  privacyPayloads,
  type AlertDeliveryPayload,
  type PrivacyRequestPayload,
} from './payloads.ts';
export { createAlertQueue, type AlertQueue } from './alerts.ts';
export {
  createPrivacyQueue,
  DEFAULT_PRIVACY_ORG_MAX_IN_FLIGHT,
  privacyQueueEnv,
  type PrivacyQueue,
} from './privacy.ts';

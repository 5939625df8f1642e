export { DELIVERY_LOG_DAYS, HOURLY_ROLLUP_DAYS, runRetention, type RetentionRemoval } from './retention.ts';
export {
  DELETION_STEPS,
  requestDeviceDeletion,
  runSubjectDeletion,
  type DeletionProgress,
} from './subject-deletion.ts';
export {
  createPrivacyQueue,
  DEFAULT_PRIVACY_ORG_MAX_IN_FLIGHT,
  PRIVACY_JOBS,
  privacyQueueEnv,
  type PrivacyJobKind,
  type PrivacyQueue,
} from './queue.ts';
export {
  EXPORT_TTL_MS,
  openExport,
  requestDeviceExport,
  runSubjectExport,
  type ExportRequestAnswer,
} from './subject-export.ts';
export { devicePrivacySettings, privacySettingsInput, refusingDevices, type PrivacySettings } from './consent.ts';
export {
  deleteAppDataAs,
  exportOrgAs,
  getPrivacyRequestAs,
  listPrivacyRequestsAs,
  requestSubjectAs,
  type PrivacyRequestView,
} from './requests.ts';
export * from '../contracts/privacy.ts';
export { requestStatus, statusLink, type RequestStatus } from './request-status.ts';

export { DELIVERY_LOG_DAYS, HOURLY_ROLLUP_DAYS, runRetention, type RetentionRemoval } from './retention.ts';
export {
  DELETION_STEPS,
  requestDeviceDeletion,
  runSubjectDeletion,
  type DeletionProgress,
} from './subject-deletion.ts';
export {
  admitPendingPrivacyRequests,
  markPrivacyRequestFailed,
  sweepPrivacyRequests,
  type PrivacyAdmission,
  type PrivacyJobKind,
} from './sweep.ts';
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
  deleteAppDataInput,
  exportOrgAs,
  getPrivacyRequestAs,
  listPrivacyRequestsAs,
  listPrivacyRequestsInput,
  requestSubjectAs,
  subjectRequestInput,
  type PrivacyRequestView,
} from './requests.ts';
export { requestStatus, statusLink, type RequestStatus } from './request-status.ts';

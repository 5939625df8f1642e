export * from './schemas.ts';
export { sealSecret, openSecret } from './secrets.ts';
export {
  createChannel,
  createTestAlert,
  deleteChannel,
  findChannel,
  listChannels,
  listDeliveries,
} from './channels.ts';
export { createAlertRule, deleteAlertRule, listAlertRules } from './rules.ts';
export { queueCrashAlerts, type AlertKind, type AlertPayload } from './triggers.ts';
export { inQuietHours } from './record.ts';
export { evaluateMetricRules } from './metric-rules.ts';
export {
  clearAlertOutbox,
  drainAlertOutbox,
  releaseDigests,
  runAlertSweep,
  stalePendingDeliveries,
  writeAlertOutbox,
} from './sweep.ts';
export {
  deliverNotification,
  DELIVERY_ATTEMPTS,
  FLAG_AFTER_FAILURES,
  signWebhook,
  verifyWebhookSignature,
  type DeliveryDeps,
} from './deliver.ts';
export { createAlertQueue, type AlertQueue } from './queue.ts';

export * from '../contracts/alerts.ts';
export { sealSecret, openSecret } from './secrets.ts';
export {
  createChannel,
  createTestAlert,
  deleteChannel,
  findChannel,
  listChannels,
  listDeliveries,
  type ChannelTargets,
} from './channels.ts';
export {
  assertWebhookTarget,
  checkTarget,
  maskWebhookUrl,
  resolveHost,
  STRICT_TARGETS,
  targetPolicySchema,
  type ResolveHost,
  type TargetPolicy,
} from './targets.ts';
export { categorize, DELIVERY_ERROR_CATEGORIES, DeliveryError, type DeliveryErrorCategory } from './delivery-errors.ts';
export { postWebhook, standardWebhookSignature, type WebhookOptions } from './webhook.ts';
export { createAlertRule, deleteAlertRule, listAlertRules } from './rules.ts';
export { queueCrashAlerts, type AlertPayload } from './triggers.ts';
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
  escapeSlackText,
  FLAG_AFTER_FAILURES,
  signWebhook,
  verifyWebhookSignature,
  type DeliveryDeps,
} from './deliver.ts';
export { createAlertQueue, type AlertQueue } from './queue.ts';

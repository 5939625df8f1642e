export { DELIVERY_LOG_DAYS, HOURLY_ROLLUP_DAYS, runRetention, type RetentionRemoval } from './retention.ts';

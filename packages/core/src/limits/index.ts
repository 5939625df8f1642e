export { createSlidingWindowLimiter, type LimitCheck, type SlidingWindowLimiter } from './sliding-window.ts';
export {
  createPublicLimits,
  publicLimitsConfig,
  publicLimitsEnv,
  type PublicLimits,
  type PublicLimitsConfig,
} from './public-endpoints.ts';
export {
  createOutboundLimits,
  outboundLimitsConfig,
  outboundLimitsEnv,
  type OutboundLimits,
  type OutboundLimitsConfig,
} from './outbound.ts';

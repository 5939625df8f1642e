export * from './errors.ts';
export { isUuid } from './ids.ts';
export * from './config/env.ts';
export { createLogger, type Logger } from './logger.ts';
export * from './keys/index.ts';
export * from './tenancy/index.ts';
export * from './queue/index.ts';
export * from './mail/index.ts';
export * from './auth/index.ts';

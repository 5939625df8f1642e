export { createApiKey, type CreatedApiKey } from './api-keys.ts';
export { buildDsn, createApp, type CreatedApp } from './apps.ts';
export { recordAudit, type Actor } from './audit.ts';
export {
  createOrganization,
  hashPassword,
  requireOrganization,
  slugify,
  verifyPassword,
  type CreatedOrganization,
} from './organizations.ts';
export * from './schemas.ts';
export { parseInput } from './validate.ts';

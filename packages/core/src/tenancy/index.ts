export { createApiKey, type CreatedApiKey } from './api-keys.ts';
export { buildDsn, createApp, type CreatedApp } from './apps.ts';
export { listAuditLog, recordAudit, type Actor } from './audit.ts';
export {
  createOrganization,
  getOrganization,
  hashPassword,
  requireOrganization,
  slugify,
  verifyPassword,
  type CreatedOrganization,
} from './organizations.ts';
export * from '../contracts/tenancy.ts';
export { parseInput } from './validate.ts';
export { hashDeviceId, namesApp, registerDevice, registerDeviceInput } from './devices.ts';
export { assertCan, can, canGrant, PERMISSIONS, type Action, type Role } from './permissions.ts';
export { assertNotSuspended } from './suspension.ts';
export { revokeApiKey, revokeDeviceTokens, rotateIngestKey } from './revoke.ts';
export {
  acceptInvitation,
  actorFromApiKey,
  changeMemberRole,
  INVITATION_TTL_MS,
  inviteMember,
  inviteMemberByEmail,
  listMembers,
  removeMember,
  requireMembership,
  type MemberActor,
  type OrgActor,
} from './members.ts';
export { getIngestKeyAs, latestReceivedAs, type AppIngestKey, type LatestReceived } from './onboarding.ts';
export { deleteApp, getApp, listApiKeys, listApps, resolveAppRef, updateApp } from './app-settings.ts';
export {
  createApiKeyAs,
  createAppAs,
  revokeApiKeyAs,
  revokeDeviceTokensAs,
  rotateIngestKeyAs,
} from './actor-operations.ts';
export {
  acceptInvitationAsNewUser,
  describeInvitation,
  listInvitations,
  revokeInvitation,
} from './invitations.ts';
export {
  createOrganizationForUser,
  listUserOrganizations,
  updateOrganization,
  type UserOrganization,
} from './user-organizations.ts';
export {
  listOrganizationsForAdmin,
  requirePlatformAdmin,
  setOrganizationSuspended,
  updateOrganizationPlan,
  type PlatformAdmin,
} from './platform-admin.ts';

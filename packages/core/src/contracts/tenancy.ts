// Organization vocabulary shared by the api and the portal. Browser-safe: plain constants
// only here, so the portal can import it without pulling node code.

export const ROLES = ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER'] as const;
export type Role = (typeof ROLES)[number];

/** Roles are ordered; a permission names the least role that holds it. */
export const ROLE_RANK: Record<Role, number> = { VIEWER: 0, MEMBER: 1, ADMIN: 2, OWNER: 3 };

/** True when `role` is `least` or above it. */
export function roleAtLeast(role: Role, least: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[least];
}

export const API_SCOPES = ['ingest', 'read', 'write', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const PLATFORMS = [
  'WEB',
  'NODE',
  'NEXTJS',
  'IOS',
  'ANDROID',
  'REACT_NATIVE',
  'FLUTTER',
  'LUA',
  'OTHER',
] as const;
export type Platform = (typeof PLATFORMS)[number];

/** The database's Plan enum, written out so browsers need no Prisma runtime. */
export const PLANS = ['FREE', 'TEAM', 'BUSINESS', 'ENTERPRISE'] as const;
export type Plan = (typeof PLANS)[number];

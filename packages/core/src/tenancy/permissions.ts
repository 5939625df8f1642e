import { AppError } from '../errors.ts';
import { ROLE_RANK, type Role } from '../contracts/tenancy.ts';

export { ROLE_RANK, type Role };

// What each role may do: the one table every surface (tRPC, GraphQL, REST) consults.
// Roles are ordered (ROLE_RANK, shared with the portal); an action names the least role
// that may perform it.

export const PERMISSIONS = {
  'org.read': 'VIEWER',
  'org.update': 'ADMIN',
  'org.delete': 'OWNER',
  'member.read': 'VIEWER',
  'member.invite': 'ADMIN',
  'member.updateRole': 'ADMIN',
  'member.remove': 'ADMIN',
  'app.read': 'VIEWER',
  'app.create': 'ADMIN',
  'app.update': 'ADMIN',
  'app.delete': 'ADMIN',
  'app.rotateIngestKey': 'ADMIN',
  'apiKey.read': 'ADMIN',
  'apiKey.create': 'ADMIN',
  'apiKey.revoke': 'ADMIN',
  'deviceToken.revoke': 'ADMIN',
  'audit.read': 'ADMIN',
  'telemetry.read': 'VIEWER',
  'crash.update': 'MEMBER',
  'crash.comment': 'MEMBER',
  'alert.manage': 'MEMBER',
  'privacy.manage': 'ADMIN',
} as const satisfies Record<string, Role>;

export type Action = keyof typeof PERMISSIONS;

export function can(role: Role, action: Action): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[PERMISSIONS[action]];
}

export function assertCan(role: Role, action: Action): void {
  if (!can(role, action)) {
    throw new AppError('FORBIDDEN', `your role (${role}) may not ${action.replace('.', ': ')}; ask an ${PERMISSIONS[action]} of this organization`);
  }
}

/** Only an OWNER may grant OWNER, and nobody may grant above their own role. */
export function canGrant(granter: Role, role: Role): boolean {
  return can(granter, 'member.updateRole') && ROLE_RANK[role] <= ROLE_RANK[granter];
}

import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { assertCan, can, canGrant, PERMISSIONS, type Action, type Role } from './permissions.ts';

const ROLES: Role[] = ['VIEWER', 'MEMBER', 'ADMIN', 'OWNER'];

// The expected table, written out literally (never derived from PERMISSIONS): a change to
// PERMISSIONS — a new action, or a role moved — must change this too.
const VIEWER_ACTIONS: Action[] = ['org.read', 'member.read', 'app.read', 'telemetry.read'];
const MEMBER_ACTIONS: Action[] = [...VIEWER_ACTIONS, 'crash.update', 'crash.comment', 'alert.manage'];
const ADMIN_ACTIONS: Action[] = [
  ...MEMBER_ACTIONS,
  'org.update',
  'member.invite',
  'member.updateRole',
  'member.remove',
  'app.create',
  'app.update',
  'app.delete',
  'app.rotateIngestKey',
  'apiKey.read',
  'apiKey.create',
  'apiKey.revoke',
  'deviceToken.revoke',
  'audit.read',
  'privacy.manage',
];
const EXPECTED: Record<Role, Action[]> = {
  VIEWER: VIEWER_ACTIONS,
  MEMBER: MEMBER_ACTIONS,
  ADMIN: ADMIN_ACTIONS,
  OWNER: [...ADMIN_ACTIONS, 'org.delete'],
};

describe('role permissions', () => {
  it('knows exactly the listed actions', () => {
    expect(Object.keys(PERMISSIONS).sort()).toEqual([...EXPECTED.OWNER].sort());
  });

  it.each(ROLES)('%s may do exactly its listed actions', (role) => {
    const allowed = (Object.keys(PERMISSIONS) as Action[]).filter((action) => can(role, action));
    expect(allowed.sort()).toEqual([...EXPECTED[role]].sort());
  });

  it('a viewer cannot create keys, with a message saying who can', () => {
    expect(() => assertCan('VIEWER', 'apiKey.create')).toThrow(AppError);
    expect(() => assertCan('VIEWER', 'apiKey.create')).toThrow(/ask an ADMIN/);
    expect(() => assertCan('ADMIN', 'apiKey.create')).not.toThrow();
  });

  it('nobody grants a role above their own', () => {
    expect(canGrant('ADMIN', 'OWNER')).toBe(false);
    expect(canGrant('ADMIN', 'ADMIN')).toBe(true);
    expect(canGrant('OWNER', 'OWNER')).toBe(true);
    expect(canGrant('MEMBER', 'VIEWER')).toBe(false);
  });
});

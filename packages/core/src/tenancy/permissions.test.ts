import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { assertCan, can, canGrant, PERMISSIONS, type Action, type Role } from './permissions.ts';

const ROLES: Role[] = ['VIEWER', 'MEMBER', 'ADMIN', 'OWNER'];

// The expected table, written out: a change to PERMISSIONS must change this too.
const EXPECTED: Record<Role, Action[]> = {
  VIEWER: ['org.read', 'member.read', 'app.read', 'telemetry.read'],
  MEMBER: ['org.read', 'member.read', 'app.read', 'telemetry.read', 'crash.update', 'crash.comment', 'alert.manage'],
  ADMIN: (Object.keys(PERMISSIONS) as Action[]).filter((a) => a !== 'org.delete'),
  OWNER: Object.keys(PERMISSIONS) as Action[],
};

describe('role permissions', () => {
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

import { z } from 'zod';

// Organization vocabulary and inputs, shared by the api and the portal.

export const ROLES = ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER'] as const;
export type Role = (typeof ROLES)[number];

/** Roles are ordered; a permission names the least role that holds it. */
export const ROLE_RANK: Record<Role, number> = { VIEWER: 0, MEMBER: 1, ADMIN: 2, OWNER: 3 };

/** True when `role` is `least` or above it. */
export function roleAtLeast(role: Role, least: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[least];
}

/** What an app keeps of a client's address. */
export const IP_POLICIES = ['discard', 'truncate'] as const;

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
export type PlanName = (typeof PLANS)[number];

export const emailSchema = z.string().trim().toLowerCase().email('must be an email address').max(254);

// The most common passwords that still pass a length check (from breach corpora).
const COMMON_PASSWORDS = new Set([
  'password123',
  'password1234',
  '1234567890',
  '12345678910',
  'qwertyuiop',
  'qwerty123456',
  'letmein123',
  'iloveyou123',
  'welcome123',
  'admin12345',
  'abc1234567',
  'passw0rd123',
  'football123',
  'baseball123',
  'sunshine123',
  'princess123',
  'monkey12345',
  'dragon12345',
  'trustno1234',
  'superman123',
  'starwars123',
  '1q2w3e4r5t',
  '1qaz2wsx3edc',
  'zaq12wsxcde',
  'qwertyuiop123',
  'asdfghjkl1',
  'changeme123',
  'p@ssw0rd123',
  'password!',
  'passwordpassword',
]);

export const passwordSchema = z
  .string()
  .min(10, 'is too weak: use at least 10 characters')
  .max(200, 'must be at most 200 characters')
  .refine((p) => new Set(p).size >= 4, 'is too weak: use more different characters')
  .refine((p) => !COMMON_PASSWORDS.has(p.toLowerCase()), 'is too weak: it is one of the most common passwords');

export const createOrganizationInput = z.object({
  name: z.string().trim().min(1, 'is required').max(100),
  ownerEmail: emailSchema,
  ownerPassword: passwordSchema,
  ownerName: z.string().trim().max(100).optional(),
});
export type CreateOrganizationInput = z.input<typeof createOrganizationInput>;

export const bundleIdSchema = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(200)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'may hold letters, digits, dots, dashes and underscores (e.g. com.example.app)',
  );

export const createAppInput = z.object({
  name: z.string().trim().min(1, 'is required').max(100),
  bundleId: bundleIdSchema,
  platform: z.enum(PLATFORMS).default('OTHER'),
  allowedOrigins: z.array(z.string().url('must be an origin like https://example.com')).default([]),
});
export type CreateAppInput = z.input<typeof createAppInput>;

export const createApiKeyInput = z.object({
  name: z.string().trim().min(1, 'is required').max(100),
  scopes: z
    .array(z.enum(API_SCOPES))
    .min(1, 'needs at least one scope')
    .transform((s) => [...new Set(s)]),
});
export type CreateApiKeyInput = z.input<typeof createApiKeyInput>;

export const updateAppInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    platform: z.enum(PLATFORMS),
    allowedOrigins: z.array(z.string().url('must be an origin like https://example.com')).max(50),
    sampleRate: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1'),
    rawEventRetentionDays: z.number().int().min(1).max(365),
    crashReportRetentionDays: z.number().int().min(1).max(365),
    aggregateRetentionDays: z.number().int().min(30).max(3650),
    ipPolicy: z.enum(IP_POLICIES),
    scrubFields: z.array(z.string().trim().min(1).max(100)).max(100),
    analyticsOptIn: z.boolean(),
    respectDoNotTrack: z.boolean(),
  })
  .partial()
  .strict();
export type UpdateAppInput = z.input<typeof updateAppInput>;

export const inviteMemberInput = z.object({ email: emailSchema, role: z.enum(ROLES) });
export type InviteMemberInput = z.input<typeof inviteMemberInput>;

export const orgNameSchema = z.string().trim().min(1, 'is required').max(100);

/** A signed-in user's own new organization. */
export const newOrganizationInput = z.object({ name: orgNameSchema });

export const updateOrganizationInput = z
  .object({
    name: orgNameSchema.optional(),
    slug: z
      .string()
      .trim()
      .regex(
        /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/,
        'may hold lowercase letters, digits and inner dashes (at most 48)',
      )
      .optional(),
  })
  .strict();
export type UpdateOrganizationInput = z.input<typeof updateOrganizationInput>;

export const updatePlanInput = z.object({
  plan: z.enum(PLANS),
  monthlyEventQuota: z.number().int('must be a whole number').min(0).max(1e12),
  /** Crash reports have their own quota; left out, it stays as it is. */
  monthlyCrashQuota: z.number().int('must be a whole number').min(0).max(1e12).optional(),
});

export const suspendInput = z
  .object({ suspended: z.boolean(), reason: z.string().trim().max(500).optional() })
  .refine((d) => !d.suspended || Boolean(d.reason), {
    path: ['reason'],
    message: 'is required: say why the organization is suspended',
  });
export type UpdatePlanInput = z.input<typeof updatePlanInput>;
export type SuspendInput = z.input<typeof suspendInput>;

export const acceptAsNewUserInput = z.object({
  token: z.string().min(1).max(200),
  name: z.string().trim().min(1, 'is required').max(100),
  password: passwordSchema,
});
export type AcceptAsNewUserInput = z.input<typeof acceptAsNewUserInput>;

import { z } from 'zod';

import { API_SCOPES, PLATFORMS, ROLES } from '../contracts/tenancy.ts';

export { API_SCOPES, PLATFORMS, ROLES };

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

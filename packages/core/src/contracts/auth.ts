import { z } from 'zod';
import { emailSchema, passwordSchema } from './tenancy.ts';

// Account inputs the portal's forms send, shared by the api and the portal.

export const signUpInput = z.object({
  name: z.string().trim().min(1, 'is required').max(100),
  email: emailSchema,
  password: passwordSchema,
  organization: z.string().trim().min(1, 'is required').max(100),
});
export type SignUpInput = z.input<typeof signUpInput>;

export const changePasswordInput = z.object({
  currentPassword: z.string().min(1, 'is required').max(200),
  newPassword: passwordSchema,
});
export type ChangePasswordInput = z.input<typeof changePasswordInput>;

import { z } from 'zod';

// Privacy request vocabulary and inputs, shared by the api and the portal.

export const PRIVACY_REQUEST_KINDS = ['EXPORT', 'DELETE'] as const;
export type PrivacyRequestKind = (typeof PRIVACY_REQUEST_KINDS)[number];

// eslint-disable-next-line no-control-regex -- the one character PostgreSQL text cannot hold
const NO_NUL = /^[^\u0000]*$/;

export const subjectRequestInput = z
  .object({
    appId: z.number().int(),
    kind: z.enum(PRIVACY_REQUEST_KINDS),
    deviceId: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(256)
      .regex(NO_NUL, 'must not contain NUL characters')
      .optional(),
    userId: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(200)
      .regex(NO_NUL, 'must not contain NUL characters')
      .optional(),
  })
  .refine((v) => (v.deviceId === undefined) !== (v.userId === undefined), {
    message: "name the subject by exactly one of deviceId (as the SDK sent it) or userId (the app's user id)",
    path: ['deviceId'],
  });
export type SubjectRequestInput = z.input<typeof subjectRequestInput>;

export const deleteAppDataInput = z.object({
  appId: z.number().int(),
  confirm: z.string().max(300),
});

export const listPrivacyRequestsInput = z.object({
  appId: z.number().int().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type DeleteAppDataInput = z.input<typeof deleteAppDataInput>;
export type ListPrivacyRequestsInput = z.input<typeof listPrivacyRequestsInput>;

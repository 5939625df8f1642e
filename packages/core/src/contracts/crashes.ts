import { z } from 'zod';

// Crash group vocabulary and inputs, shared by the api and the portal.

export const CRASH_STATUSES = ['open', 'resolved', 'ignored', 'regressed'] as const;
export type CrashStatus = (typeof CRASH_STATUSES)[number];

/** The statuses a person may set; `regressed` is only ever set by the grouping. */
export const SETTABLE_CRASH_STATUSES = ['open', 'resolved', 'ignored'] as const;

export const CRASH_SORTS = ['last_seen', 'occurrences', 'users', 'first_seen'] as const;
export type CrashSort = (typeof CRASH_SORTS)[number];

export const listCrashGroupsInput = z.object({
  status: z.enum(CRASH_STATUSES).optional(),
  version: z.string().min(1).max(64).optional(),
  search: z.string().trim().min(1).max(200).optional(),
  sort: z.enum(CRASH_SORTS).default('last_seen'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

export const updateCrashGroupInput = z
  .object({
    status: z.enum(SETTABLE_CRASH_STATUSES).optional(),
    /** With `resolved`: only occurrences from this version or later count as a regression. */
    resolvedInVersion: z.string().min(1).max(64).nullable().optional(),
    /** With `ignored`: wake up after this many more occurrences (omit: ignore for good). */
    ignoreForOccurrences: z.number().int().min(1).max(1_000_000_000).nullable().optional(),
    assigneeId: z.uuid('must be a user id').nullable().optional(),
  })
  .strict()
  .refine((v) => Object.values(v).some((x) => x !== undefined), 'name at least one of status, assigneeId')
  .refine((v) => v.resolvedInVersion == null || v.status === 'resolved', {
    message: 'resolvedInVersion goes with status "resolved"',
    path: ['resolvedInVersion'],
  })
  .refine((v) => v.ignoreForOccurrences == null || v.status === 'ignored', {
    message: 'ignoreForOccurrences goes with status "ignored"',
    path: ['ignoreForOccurrences'],
  });

export const crashCommentInput = z.object({ body: z.string().trim().min(1, 'may not be empty').max(10_000) });

export type ListCrashGroupsInput = z.input<typeof listCrashGroupsInput>;
export type UpdateCrashGroupInput = z.input<typeof updateCrashGroupInput>;
export type CrashCommentInput = z.input<typeof crashCommentInput>;

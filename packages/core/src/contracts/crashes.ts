// Crash group vocabulary shared by the api and the portal.

export const CRASH_STATUSES = ['open', 'resolved', 'ignored', 'regressed'] as const;
export type CrashStatus = (typeof CRASH_STATUSES)[number];

/** The statuses a person may set; `regressed` is only ever set by the grouping. */
export const SETTABLE_CRASH_STATUSES = ['open', 'resolved', 'ignored'] as const;

export const CRASH_SORTS = ['last_seen', 'occurrences', 'users', 'first_seen'] as const;
export type CrashSort = (typeof CRASH_SORTS)[number];

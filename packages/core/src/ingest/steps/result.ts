import type { ErrorIssue } from '../../errors.ts';

// What an event step answers: `ok(value)` to pass the event on, `drop(reason)` to leave it
// out of the batch (the pipeline counts it under that reason in
// sightline_ingest_events_dropped_total and, with issues, tells the client why).
//
// Steps that judge the whole request (credential, app, origin, the batch envelope, the
// buffer's refusal) do not drop: they refuse the request by throwing an AppError, whose
// code is the HTTP status the contract names. A request has no "left out" state to count.

export type DropReason = 'invalid' | 'too_large' | 'too_old' | 'sampled_out' | 'do_not_track';
export type StepResult<T> = { ok: true; value: T } | { ok: false; reason: DropReason; issues?: ErrorIssue[] };

export const ok = <T>(value: T): StepResult<T> => ({ ok: true, value });
export const drop = <T>(reason: DropReason, issues?: ErrorIssue[]): StepResult<T> => ({ ok: false, reason, issues });

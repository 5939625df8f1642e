import { type z } from 'zod';
import { AppError, type ErrorIssue } from '../../errors.ts';
import { parseInput } from '../../tenancy/validate.ts';
import {
  crashInput,
  eventBatchInput,
  eventInput,
  KNOWN_EVENT_DATA,
  type CrashInput,
  type EventBatchInput,
  type EventInput,
  type KnownEventType,
} from '../schemas.ts';
import { drop, ok, type StepResult } from './result.ts';

// Step 4, validation. The envelope (device, app, at most 500 events) or a crash report is
// all or nothing: a bad one refuses the request. In a batch each event is judged alone: a
// bad event is dropped as `invalid`, and the client is told which and why.

export const issuesOf = (error: z.ZodError, prefix: string): ErrorIssue[] =>
  error.issues.map((i) => ({ path: [prefix, ...i.path].join('.'), message: i.message }));

/** Step: the batch envelope. A bad envelope fails the whole request (400). */
export function parseBatch(body: unknown): EventBatchInput {
  const parsed = eventBatchInput.safeParse(body);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error, 'body').map((i) => ({ ...i, path: i.path.replace(/^body\.?/, '') }));
    throw new AppError(
      'BAD_REQUEST',
      `invalid body: ${issues.map((i) => `${i.path || 'body'} ${i.message}`).join('; ')}`,
      issues,
    );
  }
  return parsed.data;
}

/** Step: one crash report (400 when it is not one). */
export function parseCrash(body: unknown): CrashInput {
  return parseInput(crashInput, body);
}

/** Step: one event's shape, and the data its type must carry. */
export function validateEvent(raw: unknown, index: number): StepResult<EventInput> {
  const parsed = eventInput.safeParse(raw);
  if (!parsed.success) return drop('invalid', issuesOf(parsed.error, `events.${index}`));
  const known = KNOWN_EVENT_DATA[parsed.data.type as KnownEventType] as
    (typeof KNOWN_EVENT_DATA)[KnownEventType] | undefined;
  if (known) {
    const data = known.schema.safeParse(parsed.data.data);
    if (!data.success) return drop('invalid', issuesOf(data.error, `events.${index}.data`));
    return ok({ ...parsed.data, data: data.data });
  }
  return ok(parsed.data);
}

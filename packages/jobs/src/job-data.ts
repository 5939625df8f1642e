import { UnrecoverableError } from 'bullmq';
import type { z } from 'zod';

/**
 * A job's payload, checked against its schema. A payload that does not match will not match
 * on the next attempt either, so it fails the job for good (BullMQ does not retry an
 * `UnrecoverableError`) with a reason that names the job and what is wrong.
 */
export function jobData<Schema extends z.ZodType>(
  schema: Schema,
  job: { name: string; data: unknown },
): z.output<Schema> {
  const parsed = schema.safeParse(job.data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`);
  throw new UnrecoverableError(`job "${job.name}" has a malformed payload (${problems.join('; ')})`);
}

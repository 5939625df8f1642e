import type { z } from 'zod';
import { AppError } from '../errors.ts';

/** Parses input at a service edge; failures become one 400 naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const summary = issues.map((i) => (i.path ? `${i.path} ${i.message}` : i.message)).join('; ');
  throw new AppError('BAD_REQUEST', `invalid input: ${summary}`, issues);
}

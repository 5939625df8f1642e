import { parseInput } from '@sightline/core';
import type { z } from 'zod';

// Procedure inputs checked by the core's own schemas (@sightline/core/contracts) and with
// the core's own helper, so a bad field is the same 400 on every surface: "invalid input:
// <field> <problem>", the field named as the caller wrote it inside the payload (the portal
// shows that message as it is). They are Standard Schemas, which tRPC types procedures by:
// RouterInputs/RouterOutputs carry the real shapes, defaults optional.

interface CheckedInput<In, Out> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => { value: Out };
    readonly types?: { readonly input: In; readonly output: Out };
  };
}

/** A key whose value may be left out when its schema accepts undefined (defaults, optional). */
type Keyed<K extends string, T> = undefined extends T ? { [P in K]?: T } : { [P in K]: T };

const fieldsOf = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

function checkedInput<In, Out>(validate: (value: unknown) => Out): CheckedInput<In, Out> {
  return { '~standard': { version: 1, vendor: 'sightline', validate: (value) => ({ value: validate(value) }) } };
}

/**
 * The procedure's own fields, checked by `schema`. `orgId` is left out first: it belongs to
 * orgProcedure, and strict schemas would refuse it.
 */
export function checked<S extends z.ZodType>(schema: S): CheckedInput<z.input<S>, z.output<S>> {
  return checkedInput((value) => {
    const { orgId: _orgId, ...fields } = fieldsOf(value);
    return parseInput(schema, fields);
  });
}

/** One field of the input (`rule`, `query`, `change`…) checked by `schema`, errors named inside it. */
export function payload<K extends string, S extends z.ZodType>(
  key: K,
  schema: S,
): CheckedInput<Keyed<K, z.input<S>>, { [P in K]: z.output<S> }> {
  return checkedInput((value) => ({ [key]: parseInput(schema, fieldsOf(value)[key]) }) as { [P in K]: z.output<S> });
}

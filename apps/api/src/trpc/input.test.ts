import { isAppError } from '@sightline/core';
import { breakdownInput, listCrashGroupsInput, updateOrganizationInput } from '@sightline/core/contracts';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { checked, payload } from './input.ts';
import type { RouterInputs, RouterOutputs } from './router.ts';

const failure = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (isAppError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a failure');
};

describe('procedure inputs checked by the core schemas', () => {
  it('names a bad field inside the payload, as the core always did', () => {
    const query = payload('query', breakdownInput);
    expect(failure(() => query['~standard'].validate({ orgId: 'o', appId: 1, query: { by: 'planet' } }))).toEqual({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/^invalid input: by /) as string,
    });
  });

  it('hands the procedure the parsed payload, defaults applied', () => {
    const query = payload('query', listCrashGroupsInput.prefault({}));
    expect(query['~standard'].validate({ appId: 1 })).toEqual({
      value: { query: { sort: 'last_seen', page: 1, limit: 25 } },
    });
  });

  it("leaves orgProcedure's orgId to it, so strict schemas accept the rest", () => {
    const update = checked(updateOrganizationInput);
    expect(update['~standard'].validate({ orgId: 'o', name: ' Acme ' })).toEqual({ value: { name: 'Acme' } });
    expect(failure(() => update['~standard'].validate({ orgId: 'o', owner: 'x' })).message).toMatch(
      /^invalid input: .*owner/,
    );
  });

  it('gives the portal the real input and output types', () => {
    expectTypeOf<NonNullable<RouterInputs['analytics']['breakdown']['query']>['by']>().toEqualTypeOf<
      'os' | 'browser' | 'country' | 'device_model' | 'screen' | 'feature'
    >();
    expectTypeOf<NonNullable<RouterInputs['crashes']['list']['query']>['status']>().toEqualTypeOf<
      'open' | 'resolved' | 'ignored' | 'regressed' | undefined
    >();
    expectTypeOf<RouterInputs['alerts']['createRule']['rule']['kind']>().toEqualTypeOf<
      'NEW_CRASH_GROUP' | 'REGRESSION' | 'CRASH_SPIKE' | 'CRASH_FREE_DROP' | 'PERF_THRESHOLD'
    >();
    expectTypeOf<RouterOutputs['apps']['get']['id']>().toEqualTypeOf<number>();
  });
});

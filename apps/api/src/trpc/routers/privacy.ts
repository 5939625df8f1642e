import {
  deleteAppDataAs,
  deleteAppDataInput,
  exportOrgAs,
  getPrivacyRequestAs,
  listPrivacyRequestsAs,
  listPrivacyRequestsInput,
  requestSubjectAs,
  subjectRequestInput,
} from '@sightline/core';
import { z } from 'zod';
import { schedulePrivacyRequest, withDownloadUrl } from '../../privacy/schedule.ts';
import { orgProcedure, router } from '../init.ts';

// GDPR requests the organization makes or sees: on behalf of an end user, for a whole
// app, for the whole organization; and every request's status and download.
export const privacyRouter = router({
  list: orgProcedure
    .input(listPrivacyRequestsInput)
    .query(async ({ ctx, input }) =>
      (await listPrivacyRequestsAs(ctx.deps.prisma, ctx.actor, input, ctx.deps.secret)).map((r) =>
        withDownloadUrl(ctx.deps.publicApiUrl, r),
      ),
    ),
  get: orgProcedure
    .input(z.object({ id: z.string() }))
    .query(async ({ ctx, input }) =>
      withDownloadUrl(
        ctx.deps.publicApiUrl,
        await getPrivacyRequestAs(ctx.deps.prisma, ctx.actor, input.id, ctx.deps.secret),
      ),
    ),
  requestForSubject: orgProcedure
    .input(subjectRequestInput)
    .mutation(async ({ ctx, input }) =>
      schedulePrivacyRequest(ctx.deps, await requestSubjectAs(ctx.deps.prisma, ctx.actor, input, ctx.deps.secret)),
    ),
  deleteAppData: orgProcedure
    .input(deleteAppDataInput)
    .mutation(async ({ ctx, input }) =>
      schedulePrivacyRequest(ctx.deps, await deleteAppDataAs(ctx.deps.prisma, ctx.actor, input, ctx.deps.secret)),
    ),
  exportOrg: orgProcedure.mutation(async ({ ctx }) =>
    schedulePrivacyRequest(ctx.deps, await exportOrgAs(ctx.deps.prisma, ctx.actor, ctx.deps.secret)),
  ),
});

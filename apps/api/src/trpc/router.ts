import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { router } from './init.ts';
import { adminRouter } from './routers/admin.ts';
import { alertsRouter } from './routers/alerts.ts';
import { analyticsRouter } from './routers/analytics.ts';
import { appsRouter } from './routers/apps.ts';
import { auditRouter } from './routers/audit.ts';
import { authRouter } from './routers/auth.ts';
import { crashesRouter } from './routers/crashes.ts';
import { invitationsRouter } from './routers/invitations.ts';
import { keysRouter } from './routers/keys.ts';
import { membersRouter } from './routers/members.ts';
import { orgsRouter } from './routers/orgs.ts';
import { privacyRouter } from './routers/privacy.ts';

/** The portal's API at /trpc (apps/web proxies /api/trpc here, same origin for the cookie). */
export const appRouter = router({
  auth: authRouter,
  orgs: orgsRouter,
  members: membersRouter,
  invitations: invitationsRouter,
  apps: appsRouter,
  keys: keysRouter,
  audit: auditRouter,
  crashes: crashesRouter,
  alerts: alertsRouter,
  analytics: analyticsRouter,
  privacy: privacyRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;

/** What each procedure takes, as the portal writes it (defaults optional). */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** What each procedure answers, after superjson (dates stay Dates). */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

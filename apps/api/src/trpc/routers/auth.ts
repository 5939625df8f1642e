import {
  changePassword,
  changePasswordInput,
  listUserOrganizations,
  requestPasswordReset,
  resetPassword,
  sendVerificationEmail,
  signOutEverywhere,
  signUp,
  signUpInput,
  verifyEmail,
} from '@sightline/core';
import type { SignupMode } from '@sightline/core';
import { z } from 'zod';
import { publicProcedure, router, userProcedure } from '../init.ts';

const signupMode = (ctx: { deps: { signupMode?: SignupMode } }): SignupMode => ctx.deps.signupMode ?? 'open';

const tokenRef = z.object({ token: z.string().min(1).max(200) });

export const authRouter = router({
  /** Who is signed in, and the organizations they can switch between. */
  me: userProcedure.query(async ({ ctx }) => {
    const user = await ctx.deps.prisma.user.findUnique({
      where: { id: ctx.userId },
      select: { id: true, email: true, name: true, emailVerified: true, isPlatformAdmin: true },
    });
    if (!user) return null;
    return { user, organizations: await listUserOrganizations(ctx.deps.prisma, ctx.userId) };
  }),
  signUp: publicProcedure.input(signUpInput).mutation(async ({ ctx, input }) => {
    await ctx.deps.formLimiter.consume('sign-up', ctx.ip);
    return signUp(ctx.deps.prisma, ctx.deps.mailer, ctx.deps.webUrl, input, { signupMode: signupMode(ctx) });
  }),
  /** SIGNUP, for the sign-up page to say whether it is open, by invitation only or closed. */
  signupMode: publicProcedure.query(({ ctx }): SignupMode => signupMode(ctx)),
  /**
   * What the sign-up page shows: the mode, and whether this would be the installation's first
   * account (which `invite` lets in and which becomes platform administrator).
   */
  signUpPolicy: publicProcedure.query(async ({ ctx }): Promise<{ mode: SignupMode; firstAccount: boolean }> => {
    const anyone = await ctx.deps.prisma.user.findFirst({ select: { id: true } });
    return { mode: signupMode(ctx), firstAccount: anyone === null };
  }),
  /** The portal's sign-in form posts here (through next-auth); the session is the portal's. */
  signIn: publicProcedure
    .input(z.object({ email: z.string().max(254), password: z.string().max(200) }))
    .mutation(({ ctx, input }) => ctx.deps.signInGuard.authenticate(ctx.deps.prisma, { ...input, ip: ctx.ip })),
  verifyEmail: publicProcedure.input(tokenRef).mutation(({ ctx, input }) => verifyEmail(ctx.deps.prisma, input.token)),
  resendVerification: userProcedure.mutation(async ({ ctx }) => {
    await ctx.deps.formLimiter.consume('verify-email', ctx.userId);
    await sendVerificationEmail(ctx.deps.prisma, ctx.deps.mailer, ctx.deps.webUrl, ctx.userId);
    return { sent: true };
  }),
  requestPasswordReset: publicProcedure
    .input(z.object({ email: z.string().max(254) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.deps.formLimiter.consume('password-reset', ctx.ip);
      await requestPasswordReset(ctx.deps.prisma, ctx.deps.mailer, ctx.deps.webUrl, input.email);
      // The same answer whether or not the address has an account.
      return { sent: true };
    }),
  /** Needs the current password; ends every session, this one too (the portal signs in again). */
  changePassword: userProcedure.input(changePasswordInput).mutation(async ({ ctx, input }) => {
    await ctx.deps.formLimiter.consume('change-password', ctx.userId);
    return changePassword(ctx.deps.prisma, ctx.userId, input);
  }),
  /** Ends every session of the signed-in user, on every device. */
  signOutEverywhere: userProcedure.mutation(async ({ ctx }) => {
    await signOutEverywhere(ctx.deps.prisma, ctx.userId);
    return { signedOut: true };
  }),
  resetPassword: publicProcedure
    .input(tokenRef.extend({ password: z.string().max(200) }))
    .mutation(({ ctx, input }) => resetPassword(ctx.deps.prisma, input.token, input.password)),
});

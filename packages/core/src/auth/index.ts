export { sendVerificationEmail, verifyEmail } from './email-verification.ts';
export { requestPasswordReset, resetPassword } from './password-reset.ts';
export {
  auditInUserOrgs,
  changePassword,
  endAllSessions,
  isSessionCurrent,
  signOutEverywhere,
} from './sessions.ts';
export {
  createSignInGuard,
  signInDelaySeconds,
  type RedisLike,
  type SignedInUser,
  type SignInGuard,
  type SignInLimits,
} from './sign-in.ts';
export { signUp, type SignedUp, type SignUpOptions } from './sign-up.ts';
export * from '../contracts/auth.ts';
export { assertSelfSignUpAllowed, lockAndCheckEmptyInstallation } from './first-admin.ts';
export {
  createUserAccount,
  createUserInput,
  generatePassword,
  setUserPassword,
  setUserPasswordInput,
  type OperatorCreatedUser,
} from './operator-accounts.ts';

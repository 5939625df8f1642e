export { sendVerificationEmail, verifyEmail } from './email-verification.ts';
export { requestPasswordReset, resetPassword } from './password-reset.ts';
export {
  auditInUserOrgs,
  changePassword,
  changePasswordInput,
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
export { signUp, signUpInput, type SignedUp, type SignUpInput, type SignUpOptions } from './sign-up.ts';
export { assertSelfSignUpAllowed, lockAndCheckEmptyInstallation } from './first-admin.ts';
export {
  createUserAccount,
  createUserInput,
  generatePassword,
  setUserPassword,
  setUserPasswordInput,
  type OperatorCreatedUser,
} from './operator-accounts.ts';
// The password rules live with the other tenancy schemas (createOrganization uses them too).
export { passwordSchema } from '../tenancy/schemas.ts';

export { sendVerificationEmail, verifyEmail } from './email-verification.ts';
export { requestPasswordReset, resetPassword } from './password-reset.ts';
export { createSignInGuard, type RedisLike, type SignInGuard } from './sign-in.ts';
export { signUp, signUpInput, type SignedUp, type SignUpInput } from './sign-up.ts';
// The password rules live with the other tenancy schemas (createOrganization uses them too).
export { passwordSchema } from '../tenancy/schemas.ts';

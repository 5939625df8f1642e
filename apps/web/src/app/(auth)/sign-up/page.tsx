import Link from 'next/link';
import { webEnv } from '../../../server/env';
import { SignUpForm } from './sign-up-form';

export const dynamic = 'force-dynamic';

/** The form, unless the installation's SIGNUP setting says otherwise (the api refuses those sign-ups too). */
export default function SignUpPage() {
  const mode = webEnv().SIGNUP;
  if (mode === 'open') return <SignUpForm />;
  return (
    <main className="auth">
      <h1>{mode === 'closed' ? 'Sign-up is closed' : 'Sign-up is by invitation'}</h1>
      {mode === 'closed' ? (
        <p className="notice notice-info" role="status">
          Sign-up is closed on this installation. Ask your administrator for an account.
        </p>
      ) : (
        <p className="notice notice-info" role="status">
          An invitation is needed to create an account on this installation. Ask an administrator of your organization
          to invite you: the link in the invitation email creates your account.
        </p>
      )}
      <p className="muted">
        Already have an account? <Link href="/sign-in">Sign in</Link>
      </p>
    </main>
  );
}

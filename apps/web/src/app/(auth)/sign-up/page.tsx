import Link from 'next/link';
import { headers } from 'next/headers';
import { clientIpOf, serverApi } from '~/server/api-client';
import { SignUpForm } from './sign-up-form';

export const dynamic = 'force-dynamic';

/** The api's SIGNUP and whether the installation has an account yet; null when it does not answer. */
async function signUpPolicy() {
  try {
    return await serverApi(clientIpOf(await headers())).auth.signUpPolicy.query();
  } catch {
    return null;
  }
}

/**
 * The form, unless the api's SIGNUP setting says otherwise. The api decides (it refuses those
 * sign-ups too), so the page and the api never disagree; when the api does not answer, the form
 * is shown and the api names the problem on submit.
 */
export default async function SignUpPage() {
  const policy = await signUpPolicy();
  const mode = policy?.mode ?? 'open';
  const firstAccount = policy?.firstAccount ?? false;
  // The first account of an empty installation may sign up by invitation-only mode (the api lets it in).
  if (mode === 'open' || (mode === 'invite' && firstAccount)) return <SignUpForm firstAccount={firstAccount} />;
  return (
    <main className="auth">
      <h1>{mode === 'closed' ? 'Sign-up is closed' : 'Sign-up is by invitation'}</h1>
      {mode === 'closed' ? (
        <p className="notice notice-info" role="status">
          Sign-up is closed on this installation. Ask your administrator for an account.
          {firstAccount ? ' Operators create the first account with npx sightline create-user.' : null}
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

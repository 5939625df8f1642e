import { TRPCClientError } from '@trpc/client';
import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { clientIpOf, serverApi } from './server/api-client';
import { webEnv } from './server/env';

/** A refused sign-in whose `code` the sign-in page turns into a message. */
class SignInRefused extends CredentialsSignin {
  constructor(code: 'wrong_credentials' | 'rate_limited' | 'unavailable') {
    super();
    this.code = code;
  }
}

declare module 'next-auth' {
  interface User {
    /** The user's session version at sign-in, as the api's sign-in answered it. */
    sessionVersion?: number;
  }
}

const SESSION_MAX_AGE = 7 * 24 * 3600;

// Configured per request so SIGHTLINE_SECRET is read at run time, not when Next builds.
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: webEnv().AUTH_SECRET,
  trustHost: true,
  session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE },
  pages: { signIn: '/sign-in' },
  providers: [
    Credentials({
      credentials: { email: { label: 'Email' }, password: { label: 'Password', type: 'password' } },
      // The api checks the password (argon2id, limits per address and per account).
      async authorize(credentials, request) {
        const email = typeof credentials.email === 'string' ? credentials.email : '';
        const password = typeof credentials.password === 'string' ? credentials.password : '';
        try {
          const user = await serverApi(clientIpOf(request.headers)).auth.signIn.mutate({ email, password });
          return { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion };
        } catch (error) {
          const code =
            error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined;
          if (code === 'TOO_MANY_REQUESTS') throw new SignInRefused('rate_limited');
          if (code === 'UNAUTHORIZED' || code === 'BAD_REQUEST') throw new SignInRefused('wrong_credentials');
          throw new SignInRefused('unavailable');
        }
      },
    }),
  ],
  callbacks: {
    // The api ends the session once the user's version moves on (password reset or change,
    // sign out everywhere); the claim name is the api's SESSION_VERSION_CLAIM.
    jwt({ token, user }) {
      if (user?.sessionVersion !== undefined) token.sv = user.sessionVersion;
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
}));

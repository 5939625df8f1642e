import { sessionSecret } from '@sightline/core/secrets';
import { trustProxyEnv } from '@sightline/core/trust-proxy';
import { z } from 'zod';

const schema = z
  .object({
    /** Where the portal's server reaches the api (set by `npm start`). */
    API_URL: z.string().url('must be a URL like http://127.0.0.1:4000').default('http://127.0.0.1:4000'),
    SIGHTLINE_SECRET: z
      .string({ error: 'is required (the same secret the api uses)' })
      .min(32, 'must be at least 32 characters'),
    /** Self-monitoring: the portal reports its own page views and errors to this app (its pk_ key)… */
    PORTAL_SIGHTLINE_KEY: z
      .string()
      .regex(/^pk_[A-Za-z0-9]+$/, 'must be an app ingest key (pk_…)')
      .optional(),
    /** …at this address of the api, as browsers reach it. */
    PORTAL_SIGHTLINE_ENDPOINT: z.string().url('must be a URL like https://telemetry.example.com').optional(),
    /** The same setting as the api's, so both name the same client (next-server.mjs, api-client.ts). */
    ...trustProxyEnv,
  })
  .refine((env) => !env.PORTAL_SIGHTLINE_KEY === !env.PORTAL_SIGHTLINE_ENDPOINT, {
    message: 'set both or neither (self-monitoring)',
    path: ['PORTAL_SIGHTLINE_ENDPOINT'],
  });

export type WebEnv = z.infer<typeof schema> & { AUTH_SECRET: string };

let cached: WebEnv | undefined;

/** The portal's configuration, read when first needed (not at build time); the only reader of process.env. */
export function webEnv(): WebEnv {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
    throw new Error(`web: bad configuration: ${problems}`);
  }
  // The api derives the same next-auth secret to read the session cookie.
  const AUTH_SECRET = sessionSecret(parsed.data.SIGHTLINE_SECRET);
  cached = { ...parsed.data, AUTH_SECRET };
  return cached;
}

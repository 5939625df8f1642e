import { z } from 'zod';
import type { ScriptAsset } from '../components/setup/snippets';
import { webEnv } from './env';

const TIMEOUT_MS = 2_000;

/** What the api publishes at /sdk/v1/integrity.json; only the plain script build matters here. */
const integrityJson = z.object({
  files: z.object({
    'sightline.js': z.object({
      path: z.string().regex(/^\/sdk\/[A-Za-z0-9._-]+\/sightline\.js$/),
      integrity: z.string().regex(/^sha(256|384|512)-[A-Za-z0-9+/=]+$/),
    }),
  }),
});

/**
 * The `<script>` build's path and SRI hash, asked of the api (it builds and serves the SDK).
 * Null when the api does not answer or publishes nothing usable: the snippet then goes
 * without an integrity attribute rather than with a wrong one.
 */
export async function readSdkScript(): Promise<ScriptAsset | null> {
  try {
    const res = await fetch(`${webEnv().API_URL}/sdk/v1/integrity.json`, {
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!res.ok) return null;
    const parsed = integrityJson.safeParse(await res.json());
    return parsed.success ? parsed.data.files['sightline.js'] : null;
  } catch {
    return null;
  }
}

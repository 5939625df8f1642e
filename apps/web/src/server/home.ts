import { z } from 'zod';
import { homeOf, rememberedOrg } from '../lib/last-org';
import { askApiWhoIsSignedIn } from './session-check';

// tRPC's answer to GET /trpc/auth.me (superjson): only the organizations' ids matter here.
const meAnswer = z.object({
  result: z.object({
    data: z.object({ json: z.object({ organizations: z.array(z.object({ id: z.string() })) }).nullable() }),
  }),
});

/**
 * Where `/` sends a signed-in user: their last organization (cookie) while they still belong
 * to it, else their first. Null when the api does not honour the session (signed out
 * elsewhere) or cannot be asked: the landing page is shown then.
 */
export async function signedInHome(headers: Headers): Promise<string | null> {
  try {
    const res = await askApiWhoIsSignedIn(headers, 3_000);
    if (!res?.ok) return null;
    const parsed = meAnswer.safeParse(await res.json());
    const me = parsed.success ? parsed.data.result.data.json : null;
    return me ? homeOf(me.organizations, rememberedOrg(headers.get('cookie') ?? '')) : null;
  } catch {
    return null;
  }
}

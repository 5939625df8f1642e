// Readiness probes shared by the api's and the worker's /readyz: each dependency is asked
// once and given a bounded time, so a PostgreSQL that stops answering (rather than refusing)
// makes readiness say so within seconds instead of hanging the health checker.

export const PROBE_TIMEOUT_MS = 2_000;

/** 'ok', or what went wrong (an error message, or that no answer came in time). */
export async function probe(check: () => Promise<unknown>, timeoutMs = PROBE_TIMEOUT_MS): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

/** The body and status of a /readyz answer: ready only when every check says 'ok'. */
export async function readiness(checks: { postgres: () => Promise<unknown>; redis: () => Promise<unknown> }) {
  const [postgres, redis] = await Promise.all([probe(checks.postgres), probe(checks.redis)]);
  const ready = postgres === 'ok' && redis === 'ok';
  return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'unavailable', checks: { postgres, redis } } };
}

import { webEnv } from '~/server/env';

export interface ApiStatus {
  ready: boolean;
  detail: string;
}

const TIMEOUT_MS = 2_000;

/** Asks the api whether it is ready; never throws, so the page renders with the api down. */
export async function readApiStatus(): Promise<ApiStatus> {
  try {
    // Inside the try: a bad configuration shows as "API unreachable" with its message.
    const res = await fetch(`${webEnv().API_URL}/readyz`, {
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = (await res.json()) as { checks?: Record<string, string> };
    const checks = Object.entries(body.checks ?? {})
      .map(([name, state]) => `${name}: ${state}`)
      .join(', ');
    return { ready: res.ok, detail: checks };
  } catch (error) {
    return { ready: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

import type { Instrumentation } from 'next';

// The server side, as the SDK's README shows it: the Node.js runtime only, loaded lazily
// so the Edge bundle never sees Node's modules.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { registerSightline } = await import('@sightline/sdk/next/server');
  registerSightline({
    key: process.env.SIGHTLINE_KEY ?? '',
    endpoint: process.env.SIGHTLINE_ENDPOINT ?? '',
    appVersion: '2.4.0',
  });
}

export const onRequestError: Instrumentation.onRequestError = async (...args) => {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { sightlineRequestError } = await import('@sightline/sdk/next/server');
  await sightlineRequestError(...args);
};

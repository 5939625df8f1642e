import { registerDevice } from '@sightline/core';
import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../server.ts';
import { checkDeviceOrigin } from './ingest-steps.ts';

export function registerDeviceRoutes(app: FastifyInstance, deps: ServerDeps): void {
  // `{app_id, device_id}` with the app's pk_ key → a dt_ token for that device. Limited per
  // key, per address and per device id before anything is written: the pk_ key is public.
  app.post('/v1/devices/register', async (request, reply) => {
    const principal = await deps.auth.authenticate(request);
    await checkDeviceOrigin(deps, request, principal);
    const body = request.body as { device_id?: unknown } | null | undefined;
    await deps.publicLimits.deviceRegistration(principal, request.ip, body?.device_id);
    const { token } = await registerDevice(deps.prisma, principal, request.body, deps.secret);
    return reply.status(200).send({ token });
  });
}

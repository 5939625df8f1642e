import { registerDevice } from '@sightline/core';
import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../server.ts';

export function registerDeviceRoutes(app: FastifyInstance, deps: ServerDeps): void {
  // `{app_id, device_id}` with the app's pk_ key → a dt_ token for that device.
  app.post('/v1/devices/register', async (request, reply) => {
    const principal = await deps.auth.authenticate(request);
    const { token } = await registerDevice(deps.prisma, principal, request.body, deps.secret);
    return reply.status(200).send({ token });
  });
}

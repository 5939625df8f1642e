import { bearerMatches } from '@sightline/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * `/metrics` and `/readyz?detail=1` tell an outsider how busy each path is, how far behind
 * PostgreSQL is and why entries were dead-lettered: they are for the operator's Prometheus,
 * which sends `Authorization: Bearer <METRICS_TOKEN>`. Without a token configured they do not
 * exist on this public port (404); a wrong or missing bearer is 401.
 * Returns true when the request may proceed; otherwise the reply has been sent.
 */
export function allowOperator(token: string | undefined, request: FastifyRequest, reply: FastifyReply): boolean {
  if (!token) {
    void reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'not found', issues: [] } });
    return false;
  }
  if (bearerMatches(request.headers.authorization, token)) return true;
  void reply
    .status(401)
    .header('www-authenticate', 'Bearer realm="sightline-metrics"')
    .send({
      error: { code: 'UNAUTHORIZED', message: 'metrics need Authorization: Bearer <METRICS_TOKEN>', issues: [] },
    });
  return false;
}

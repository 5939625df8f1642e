import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PrismaClient } from '@sightline/db';
import { isUuid } from '../ids.ts';

// A device's own request stays visible to it after its tokens are revoked (a deletion
// revokes them at once): the answer carries a signed status link. The link shows the
// request's state and dates, nothing about the subject; changed or foreign, it is 404.

const sign = (secret: string, id: string, orgId: string) =>
  createHmac('sha256', secret).update(`gdpr-status:${id}:${orgId}`).digest('base64url');

/** The signed path of a request's status. */
export function statusLink(secret: string, request: { id: string; orgId: string }): string {
  return `/v1/privacy/requests/${request.id}?sig=${sign(secret, request.id, request.orgId)}`;
}

export interface RequestStatus {
  request_id: string;
  kind: 'export' | 'delete';
  status: 'scheduled' | 'running' | 'completed' | 'failed';
  requested_at: string;
  completed_at: string | null;
}

const STATUS = { PENDING: 'scheduled', RUNNING: 'running', COMPLETED: 'completed', FAILED: 'failed' } as const;

/** The request behind a signed status link, or null (→ 404). */
export async function requestStatus(
  prisma: PrismaClient,
  secret: string,
  link: { id: string; sig: unknown },
): Promise<RequestStatus | null> {
  if (!isUuid(link.id) || typeof link.sig !== 'string') return null;
  const request = await prisma.gdprRequest.findUnique({ where: { id: link.id } });
  if (!request) return null;
  const expected = Buffer.from(sign(secret, request.id, request.orgId));
  const given = Buffer.from(link.sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return {
    request_id: request.id,
    kind: request.kind === 'EXPORT' ? 'export' : 'delete',
    status: STATUS[request.status],
    requested_at: request.createdAt.toISOString(),
    completed_at: request.completedAt?.toISOString() ?? null,
  };
}

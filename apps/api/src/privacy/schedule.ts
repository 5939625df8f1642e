import type { CredentialResolver, Logger, PrivacyRequestView } from '@sightline/core';
import type { PrivacyQueue } from '@sightline/jobs';

// What every surface does after a GDPR request is stored: revoked device tokens leave the
// credential cache at once, and the job is queued. If Redis is away the request is still
// stored, and the worker's sweep queues it within minutes — so queueing never fails a request.

export interface ScheduleDeps {
  privacyQueue: PrivacyQueue;
  resolver: CredentialResolver;
  log: Logger;
  publicApiUrl: string;
}

export async function queuePrivacyJob(
  deps: Pick<ScheduleDeps, 'privacyQueue' | 'log'>,
  kind: 'EXPORT' | 'DELETE',
  requestId: string,
  orgId: string,
): Promise<void> {
  // Not queued now when the organization already has its share of the queue: the worker
  // admits it as the organization's earlier requests finish.
  await deps.privacyQueue.enqueue(kind, requestId, orgId).catch((error: unknown) =>
    deps.log.warn({ err: String(error), requestId }, 'privacy job queued by the sweep later'),
  );
}

/** A request as the portal and integrations see it: the download link made absolute. */
export function withDownloadUrl(publicApiUrl: string, request: PrivacyRequestView) {
  return { ...request, downloadUrl: request.downloadPath ? `${publicApiUrl}${request.downloadPath}` : null };
}

export async function schedulePrivacyRequest(
  deps: ScheduleDeps,
  answer: { request: PrivacyRequestView; queue: boolean; revokedTokenHashes?: string[] },
) {
  await Promise.all((answer.revokedTokenHashes ?? []).map((hash) => deps.resolver.invalidate(hash)));
  if (answer.queue) await queuePrivacyJob(deps, answer.request.kind, answer.request.id, answer.request.orgId);
  return withDownloadUrl(deps.publicApiUrl, answer.request);
}

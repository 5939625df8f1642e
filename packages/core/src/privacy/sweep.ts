import type pg from 'pg';

// The privacy queue's bookkeeping in PostgreSQL. Each organization has a few jobs queued at
// most (the fairness scripts of @sightline/jobs's privacy producer); its other requests wait
// here as PENDING. When a job ends, the worker admits the organization's next request; a
// sweep every minute frees places whose end was missed (a worker died) and queues requests
// whose job never made it to Redis (the api answers "scheduled" either way).

export type PrivacyJobKind = 'EXPORT' | 'DELETE';

/** The privacy queue as this module needs it; the BullMQ producer in @sightline/jobs is one. */
export interface PrivacyAdmission {
  /** Jobs one organization may have queued or running at once. */
  readonly maxInFlightPerOrg: number;
  /** Queues the request's job if its organization has room; answers whether it did. */
  enqueue(kind: PrivacyJobKind, requestId: string, orgId: string): Promise<boolean>;
  /** Frees the request's place; answers the organization it belonged to, if it had one. */
  release(requestId: string): Promise<string | null>;
  /** Every admitted request id with its organization. */
  admitted(): Promise<Map<string, string>>;
}

/** Admits the organization's oldest PENDING requests while it has room; answers how many were queued. */
export async function admitPendingPrivacyRequests(
  pool: pg.Pool,
  queue: PrivacyAdmission,
  orgId: string,
): Promise<number> {
  // Admitted requests are PENDING too until they start: twice the cap reaches past them.
  const { rows } = await pool.query<{ id: string; kind: PrivacyJobKind }>(
    `SELECT id, kind FROM gdpr_requests WHERE org_id = $1 AND status = 'PENDING'
      ORDER BY created_at LIMIT $2`,
    [orgId, queue.maxInFlightPerOrg * 2],
  );
  let queued = 0;
  for (const { id, kind } of rows) {
    if (!(await queue.enqueue(kind, id, orgId))) break;
    queued++;
  }
  return queued;
}

/** Frees places whose request is over and re-queues open requests; answers how many were queued. */
export async function sweepPrivacyRequests(pool: pg.Pool, queue: PrivacyAdmission): Promise<number> {
  // Places held by requests that are over (their end was not seen: a worker died) are freed.
  const admitted = await queue.admitted();
  if (admitted.size > 0) {
    const { rows: open } = await pool.query<{ id: string }>(
      `SELECT id FROM gdpr_requests WHERE id = ANY($1::uuid[]) AND status IN ('PENDING', 'RUNNING')`,
      [[...admitted.keys()]],
    );
    const stillOpen = new Set(open.map((r) => r.id));
    for (const id of admitted.keys()) if (!stillOpen.has(id)) await queue.release(id);
  }
  // Then each organization's oldest open requests (older than a minute: the api queues new
  // ones itself), a few per organization so that one organization's backlog cannot crowd
  // out the others' here either. An admitted one is only re-queued if its job was lost.
  const { rows } = await pool.query<{ id: string; kind: PrivacyJobKind; org_id: string }>(
    `SELECT id, kind, org_id FROM (
       SELECT id, kind, org_id, row_number() OVER (PARTITION BY org_id ORDER BY status DESC, created_at) AS n
         FROM gdpr_requests
        WHERE status IN ('PENDING', 'RUNNING') AND created_at < now() - interval '1 minute') open
      WHERE n <= $1 ORDER BY n LIMIT 1000`,
    [queue.maxInFlightPerOrg],
  );
  let queued = 0;
  for (const { id, kind, org_id: orgId } of rows) if (await queue.enqueue(kind, id, orgId)) queued++;
  return queued;
}

/** A request whose job ran out of attempts says FAILED (and can be asked again) instead of running for ever. */
export async function markPrivacyRequestFailed(pool: pg.Pool, requestId: string, reason: string): Promise<void> {
  await pool.query(
    `UPDATE gdpr_requests SET status = 'FAILED', error = $2, completed_at = now()
     WHERE id = $1 AND status IN ('PENDING', 'RUNNING')`,
    [requestId, reason.slice(0, 500)],
  );
}

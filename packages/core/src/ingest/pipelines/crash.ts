import { buildCrashRecord } from '../crash.ts';
import { crashIdFor } from '../sentry/fields.ts';
import { buffered, refuse } from '../steps/append.ts';
import { requestFacts } from '../steps/enrich.ts';
import { storedDeviceId } from '../steps/hash.ts';
import { rateLimitsFor } from '../steps/limits.ts';
import { parseCrash } from '../steps/validate.ts';
import { admitSender, type IngestDeps, type IngestRequest } from './context.ts';

// POST /v1/telemetry/crash, start to end:
//   credential → app → origin → validate → hash (device) → enrich, clamp and scrub
//   (buildCrashRecord: crashes are never sampled away, nor dropped for do-not-track) →
//   limits → append (or refuse).

/** The crash pipeline: one report from credential to buffer; its id, or an AppError on a refusal. */
export async function runCrashPipeline(deps: IngestDeps, request: IngestRequest): Promise<{ id: string }> {
  const { principal, app } = await admitSender(deps, request);
  const input = parseCrash(request.body);
  const deviceId = storedDeviceId(principal, app, input.device_id);
  const facts = requestFacts(request.headers, request.ip, Date.now());
  // A resent report (its answer lost on the way back) keeps its id and is stored once.
  const report = buildCrashRecord(input, app, facts, deviceId, input.id ? { id: crashIdFor(app.appId, input.id) } : {});
  const outcome = await buffered(() =>
    deps.buffer.appendCrash(report, {
      limits: rateLimitsFor(deps.limits, principal, app, deviceId, request.ip),
      crashQuota: app.monthlyCrashQuota,
    }),
  );
  if (outcome.status !== 'stored') refuse(outcome, app);
  deps.metrics.accepted.inc({ kind: 'crash' });
  return { id: report.id };
}

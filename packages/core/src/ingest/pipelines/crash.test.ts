import { describe, expect, it } from 'vitest';
import { crashIdFor } from '../sentry/fields.ts';
import { app } from '../steps/fixtures.ts';
import { runCrashPipeline } from './crash.ts';
import { fakeDeps, requestOf } from './testing.ts';

const report = { device_id: 'dev', crash: { type: 'TypeError', message: 'mail ada@example.com' } };

describe('runCrashPipeline', () => {
  it('stores one scrubbed report and answers its id; a resent report keeps its id', async () => {
    const { deps, counted, appended } = fakeDeps();
    const { id } = await runCrashPipeline(deps, requestOf({ ...report, id: 'report-abc-1' }));
    expect(id).toBe(crashIdFor(app.appId, 'report-abc-1'));
    expect(appended).toMatchObject([{ id, message: 'mail [email]' }]);
    expect(counted).toEqual([['accepted', { kind: 'crash' }, undefined]]);
  });

  it('refuses over the crash quota, naming it', async () => {
    const { deps } = fakeDeps({ status: 'over_quota', events: false, crashes: true });
    await expect(runCrashPipeline(deps, requestOf(report))).rejects.toThrow(
      "this organization's monthly quota of 100 crash reports is used up; events are still accepted",
    );
  });
});

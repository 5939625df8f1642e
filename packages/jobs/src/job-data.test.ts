import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { jobData } from './job-data.ts';
import {
  ALERT_JOBS,
  alertPayloads,
  MAINTENANCE_JOBS,
  maintenancePayloads,
  PRIVACY_JOBS,
  privacyPayloads,
} from './payloads.ts';

describe('jobData', () => {
  it('answers the payload a producer sends', () => {
    const deliveryId = '0b6c3c9e-4a53-4c43-9f7a-3e7b8f1d2a10';
    expect(jobData(alertPayloads[ALERT_JOBS.deliver], { name: ALERT_JOBS.deliver, data: { deliveryId } })).toEqual({
      deliveryId,
    });
    // A scheduled job carries nothing; BullMQ hands it over as {}.
    expect(jobData(maintenancePayloads[MAINTENANCE_JOBS.retention], { name: 'retention', data: {} })).toEqual({});
  });

  it('fails a malformed payload for good, naming the job and what is wrong', () => {
    const attempt = () =>
      jobData(privacyPayloads[PRIVACY_JOBS.delete], { name: PRIVACY_JOBS.delete, data: { requestId: 42 } });
    // UnrecoverableError is what tells BullMQ not to retry.
    expect(attempt).toThrow(UnrecoverableError);
    expect(attempt).toThrow(/job "delete-subject" has a malformed payload \(requestId: .+\)/);
  });

  it('refuses data on a job that carries none, and a payload that is not an object', () => {
    expect(() =>
      jobData(maintenancePayloads[MAINTENANCE_JOBS.retention], { name: 'retention', data: { days: 1 } }),
    ).toThrow(/job "retention" has a malformed payload/);
    expect(() => jobData(alertPayloads[ALERT_JOBS.deliver], { name: 'deliver', data: null })).toThrow(
      /job "deliver" has a malformed payload \(payload: /,
    );
  });
});

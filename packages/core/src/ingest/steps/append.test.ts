import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.ts';
import { buffered, refuse } from './append.ts';
import { app } from './fixtures.ts';

const refusal = (run: () => unknown): AppError => {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
  }
  throw new Error('no AppError');
};

describe('append step', () => {
  it('names the limit a client hit and when to come back', () => {
    const error = refusal(() => refuse({ status: 'rate_limited', subject: 'device:7:dev', retryAfter: 12 }, app));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.message).toBe('rate limit reached for this device; retry after 12 s');
    expect(error.retryAfter).toBe(12);
  });

  it('names the monthly quota that ran out and that the other kind still flows', () => {
    expect(refusal(() => refuse({ status: 'over_quota', events: true, crashes: false }, app)).message).toBe(
      "this organization's monthly quota of 1000 events is used up; crash reports are still accepted",
    );
    expect(refusal(() => refuse({ status: 'over_quota', events: true, crashes: true }, app)).message).toBe(
      "this organization's monthly quota of 1000 events and of 100 crash reports is used up",
    );
  });

  it('answers 503 when the buffer is full or Redis does not answer', async () => {
    expect(refusal(() => refuse({ status: 'buffer_full' }, app)).code).toBe('UNAVAILABLE');
    await expect(buffered(() => Promise.reject(new Error('ECONNREFUSED')))).rejects.toThrow(
      'the ingestion buffer is unavailable; retry shortly',
    );
  });
});

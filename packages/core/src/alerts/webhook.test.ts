import { describe, expect, it } from 'vitest';
import { DeliveryError } from './delivery-errors.ts';
import { postWebhook } from './webhook.ts';

describe('a webhook delivery', () => {
  it('gives up at its deadline when the host name never resolves', async () => {
    const started = Date.now();
    const never = () => new Promise<never>(() => undefined);
    const failure = await postWebhook(
      'https://hooks.example.test/x',
      '{}',
      {},
      { resolve: never, totalTimeoutMs: 200 },
    ).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(DeliveryError);
    expect((failure as DeliveryError).category).toBe('timeout');
    // The whole delivery, name resolution included, stays within its deadline (with slack for a busy machine).
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

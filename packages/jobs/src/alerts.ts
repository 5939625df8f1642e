import { DELIVERY_ATTEMPTS } from '@sightline/core';
import { Queue, type ConnectionOptions } from 'bullmq';
import { ALERT_JOBS, type AlertDeliveryPayload } from './payloads.ts';
import { QUEUES } from './queues.ts';

/** Producer side of the alert deliveries queue: the api (test alerts) and the worker (crash alerts). */
export function createAlertQueue(options: { connection: ConnectionOptions; prefix?: string; backoffMs?: number }) {
  const queue = new Queue<AlertDeliveryPayload>(QUEUES.alerts, {
    connection: options.connection,
    prefix: options.prefix ?? 'bull',
  });
  // Redis going away is reported by the calls that need it; the emitter must not crash the process.
  queue.on('error', () => undefined);
  const jobOptions = {
    attempts: DELIVERY_ATTEMPTS,
    backoff: { type: 'exponential', delay: options.backoffMs ?? 5_000 },
    removeOnComplete: 1000,
    removeOnFail: 5000,
  };
  return {
    /** One job per delivery; the delivery id is the job id, so enqueueing one twice sends it once. */
    enqueue: async (deliveryIds: readonly string[]): Promise<void> => {
      if (deliveryIds.length === 0) return;
      await queue.addBulk(
        deliveryIds.map((id) => ({
          name: ALERT_JOBS.deliver,
          data: { deliveryId: id },
          opts: { ...jobOptions, jobId: id },
        })),
      );
    },
    close: () => queue.close(),
  };
}

export type AlertQueue = ReturnType<typeof createAlertQueue>;

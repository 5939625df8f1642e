import { Queue, type ConnectionOptions } from 'bullmq';
import { QUEUES } from '../queue/queues.ts';

export const PRIVACY_JOBS = { delete: 'delete-subject', export: 'export-subject' } as const;

/** Producer side of the privacy queue: the api queues GDPR requests, the worker carries them out. */
export function createPrivacyQueue(options: { connection: ConnectionOptions; prefix?: string }) {
  const queue = new Queue(QUEUES.privacy, { connection: options.connection, prefix: options.prefix ?? 'bull' });
  queue.on('error', () => undefined);
  return {
    /** The request id is the job id: asking twice queues one job. */
    enqueueDeletion: async (requestId: string): Promise<void> => {
      await queue.add(
        PRIVACY_JOBS.delete,
        { requestId },
        {
          jobId: requestId,
          attempts: 10,
          backoff: { type: 'exponential', delay: 5_000 },
          removeOnComplete: 1000,
          removeOnFail: 5000,
        },
      );
    },
    enqueueExport: async (requestId: string): Promise<void> => {
      await queue.add(
        PRIVACY_JOBS.export,
        { requestId },
        {
          jobId: `export-${requestId}`,
          attempts: 5,
          backoff: { type: 'exponential', delay: 5_000 },
          removeOnComplete: 1000,
          removeOnFail: 5000,
        },
      );
    },
    close: () => queue.close(),
  };
}

export type PrivacyQueue = ReturnType<typeof createPrivacyQueue>;

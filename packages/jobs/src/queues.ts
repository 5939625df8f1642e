// Queue names shared by api (producer) and worker (consumer). Names carry a hash tag so
// each queue's keys land in one slot on Redis Cluster.
export const QUEUES = {
  maintenance: '{sightline-maintenance}',
  alerts: '{sightline-alerts}',
  analytics: '{sightline-analytics}',
  privacy: '{sightline-privacy}',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export { QUEUES, type QueueName } from './queues.ts';

export {
  createEventWriter,
  encodeEventRow,
  markDirtyHours,
  EVENT_COLUMNS,
  type EventRow,
  type EventWriter,
  type WriteResult,
} from './writer.ts';
export {
  createPartitionsAhead,
  dayIndexOf,
  dropEventPartitionsBefore,
  ensureEventPartitions,
  listEventPartitions,
  partitionName,
  DAY_MS,
  type EventPartition,
} from './partitions.ts';

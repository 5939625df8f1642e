// The ingestion buffer's streams: one per data kind the api buffers in Redis before a worker
// writes it to PostgreSQL. The append script, the writers, the dead-letter tools and the queue
// gauges all iterate this list (issue 19: a new buffered kind is one entry here).

export const BUFFER_STREAMS = {
  events: { key: 'ingest:events' },
  crashes: { key: 'ingest:crashes' },
} as const;

export type BufferStreamName = keyof typeof BUFFER_STREAMS;

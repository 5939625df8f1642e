// The ingestion buffer's streams: one per data kind the api buffers in Redis before a worker
// writes it to PostgreSQL. The append script, the writers, the dead-letter tools and the queue
// gauges all iterate this list (issue 19: a new buffered kind is one entry here).

export const BUFFER_STREAMS = {
  events: { key: 'ingest:events' },
  crashes: { key: 'ingest:crashes' },
} as const;

export type BufferStreamName = keyof typeof BUFFER_STREAMS;

/** Every buffered stream's name, in the order of BUFFER_STREAMS. */
export const BUFFER_STREAM_NAMES = Object.keys(BUFFER_STREAMS) as BufferStreamName[];

export const isBufferStreamName = (name: unknown): name is BufferStreamName =>
  typeof name === 'string' && Object.hasOwn(BUFFER_STREAMS, name);

/** The Redis key of each stream under a namespace (the installation's REDIS_PREFIX, or a test's). */
export function bufferStreamKeys(namespace: string): Record<BufferStreamName, string> {
  const keys = {} as Record<BufferStreamName, string>;
  for (const name of BUFFER_STREAM_NAMES) keys[name] = `${namespace}:${BUFFER_STREAMS[name].key}`;
  return keys;
}

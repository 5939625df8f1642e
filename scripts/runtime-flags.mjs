// How the api and the worker are run, under `npm start` and in the benchmark: a bounded
// young generation and old space, and two malloc arenas instead of one per thread, keep
// each process near 200–250 MB resident under full ingestion load instead of letting V8
// and glibc grow to ~500 MB. Measured with `npm run bench:ingest`.
// The api's old space is 128 MB, not 96: it idles at ~50 MB after start-up, and the bodies it
// reads and parses at once may take up to INGEST_MAX_INFLIGHT_BYTES (default 32 MB, see
// apps/api/src/http/body-budget.ts); with that budget full of valid 1 MB batches the heap
// peaked at 78-88 MB after GC, which left 96 MB too little room to collect in.
export const NODE_FLAGS = {
  api: ['--max-old-space-size=128', '--max-semi-space-size=4'],
  worker: ['--max-old-space-size=96', '--max-semi-space-size=8'],
};

export const RUNTIME_ENV = { MALLOC_ARENA_MAX: '2' };

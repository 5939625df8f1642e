// How the api and the worker are run, under `npm start` and in the benchmark: a bounded
// young generation and old space, and two malloc arenas instead of one per thread, keep
// each process near 200–250 MB resident under full ingestion load instead of letting V8
// and glibc grow to ~500 MB. Measured with `npm run bench:ingest`.
export const NODE_FLAGS = {
  api: ['--max-old-space-size=96', '--max-semi-space-size=4'],
  worker: ['--max-old-space-size=96', '--max-semi-space-size=8'],
};

export const RUNTIME_ENV = { MALLOC_ARENA_MAX: '2' };

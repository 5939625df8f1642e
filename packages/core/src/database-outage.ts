// Telling "PostgreSQL cannot be reached" apart from every other failure. The ingestion path
// may fall back to what it last knew ONLY for the first kind: an answer from PostgreSQL
// (a row, no row, a constraint error) is never replaced by a remembered one.

// Node socket errors, Prisma's "can't reach / timed out / closed / pool timeout" codes.
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024',
]);

// What @prisma/adapter-pg calls a lost or refused connection.
const UNREACHABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

// SQLSTATE: connection exceptions (08…), admin/crash shutdown, cannot connect now, too many connections.
const UNREACHABLE_SQLSTATE = /^(08|57P0[1-3]$|53300$)/;

// node-postgres and pg-pool say these in plain text only.
const UNREACHABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Can't reach database server|Connection is closed|Client has encountered a connection error|the database system is (shutting down|starting up|in recovery mode)/i;

interface ErrorLike {
  code?: unknown;
  kind?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/** True when `error` (or what it wraps) says PostgreSQL could not be reached at all. */
export function isDatabaseUnreachable(error: unknown): boolean {
  const queue: unknown[] = [error];
  // Prisma nests the driver error under meta.driverAdapterError and cause; a few levels suffice.
  for (let seen = 0; queue.length > 0 && seen < 8; seen++) {
    const e = queue.shift() as ErrorLike | null | undefined;
    if (!e || typeof e !== 'object') continue;
    const code = typeof e.code === 'string' ? e.code : '';
    if (UNREACHABLE_CODES.has(code) || UNREACHABLE_SQLSTATE.test(code)) return true;
    if (typeof e.kind === 'string' && UNREACHABLE_KINDS.has(e.kind)) return true;
    if (typeof e.message === 'string' && UNREACHABLE_MESSAGE.test(e.message.slice(0, 2000))) return true;
    queue.push(e.cause, e.meta?.driverAdapterError);
  }
  return false;
}

/**
 * While PostgreSQL is unreachable, ask it at most once per `retryMs`: the requests in between
 * go straight to the last known answer instead of each waiting for a refused or timed-out
 * connection.
 */
export function createOutageBreaker(retryMs = 1_000, now: () => number = Date.now) {
  let downUntil = 0;
  return {
    /** PostgreSQL failed to answer recently: do not ask it now. */
    get open(): boolean {
      return now() < downUntil;
    },
    trip(): void {
      downUntil = now() + retryMs;
    },
  };
}

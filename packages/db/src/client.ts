import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';

export type { PrismaClient } from './generated/prisma/client.ts';

export interface DatabaseOptions {
  connectionString: string;
  /** Upper bound on open connections for this process. */
  max?: number;
  /** Give up on opening a connection after this long (default: wait as long as the OS does). */
  connectTimeoutMs?: number;
}

/** Typed Prisma client over node-postgres (Prisma 7 runs queries through the pg adapter). */
export function createPrismaClient(options: DatabaseOptions): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs,
  });
  return new PrismaClient({ adapter });
}

/** A raw pg pool for the event store's hot paths (COPY, partition DDL). */
export function createPool(options: DatabaseOptions): pg.Pool {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.max ?? 10 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // Nor may a checked-out one between two statements (a lock held across a job, as retention
  // does): its next statement fails, which its caller handles, and the pool then drops it.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

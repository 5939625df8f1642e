export { createPool, createPrismaClient, type DatabaseOptions, type PrismaClient } from './client.ts';
export * as Prisma from './generated/prisma/internal/prismaNamespace.ts';
export * from './generated/prisma/enums.ts';
export type * from './generated/prisma/models.ts';

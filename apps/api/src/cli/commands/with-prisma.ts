import { createPrismaClient, type PrismaClient } from '@sightline/db';
import type { CommandContext } from '../command.ts';

export async function withPrisma<T>(ctx: CommandContext, fn: (prisma: PrismaClient) => Promise<T>): Promise<T> {
  const prisma = createPrismaClient({ connectionString: ctx.env.DATABASE_URL, max: 4 });
  try {
    return await fn(prisma);
  } finally {
    await prisma.$disconnect();
  }
}

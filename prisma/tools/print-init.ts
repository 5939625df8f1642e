// Prints the SQL that creates schema.prisma from nothing (how the init migration began).
import { diffEmptyToSchema } from './schema-engine.ts';

process.stdout.write(await diffEmptyToSchema());

import { parseArgs } from 'node:util';
import { AppError, EnvError } from '@sightline/core';
import { MigrationError } from '@sightline/db/migrations';
import { loadCliEnv } from '../env.ts';
import { deadLettersListCommand, deadLettersReplayCommand } from './commands/dead-letters.ts';
import { migrateCommand } from './commands/migrate.ts';
import { seedDemoCommand } from './commands/seed-demo.ts';
import { serveCommand } from './commands/serve.ts';
import {
  createApiKeyCommand,
  createAppCommand,
  createOrgCommand,
  grantPlatformAdminCommand,
} from './commands/tenancy.ts';
import { createOutput, type Output } from './output.ts';
import type { CliEnv } from '../env.ts';

export interface CommandContext {
  env: CliEnv;
  flags: Record<string, string | boolean | undefined>;
  out: Output;
}

interface Command {
  summary: string;
  options: Record<string, { type: 'string' | 'boolean' }>;
  run(ctx: CommandContext): Promise<void>;
}

const COMMANDS: Record<string, Command> = {
  migrate: { summary: 'apply pending database migrations (idempotent)', options: {}, run: migrateCommand },
  'create-org': {
    summary: 'create an organization and its OWNER: --name --owner-email --owner-password',
    options: { name: { type: 'string' }, 'owner-email': { type: 'string' }, 'owner-password': { type: 'string' } },
    run: createOrgCommand,
  },
  'create-app': {
    summary: 'create an app with its pk_ ingest key: --org <id> --name --bundle-id [--platform]',
    options: {
      org: { type: 'string' },
      name: { type: 'string' },
      'bundle-id': { type: 'string' },
      platform: { type: 'string' },
    },
    run: createAppCommand,
  },
  'create-api-key': {
    summary: 'create a secret sk_ key: --org <id> --name --scopes read,write,ingest,admin',
    options: { org: { type: 'string' }, name: { type: 'string' }, scopes: { type: 'string' } },
    run: createApiKeyCommand,
  },
  'grant-platform-admin': {
    summary: 'make a user a platform administrator: --email',
    options: { email: { type: 'string' } },
    run: grantPlatformAdminCommand,
  },
  'seed-demo': {
    summary: 'fill a demo organization with synthetic telemetry: [--events N] [--days N] [--devices N]',
    options: { events: { type: 'string' }, days: { type: 'string' }, devices: { type: 'string' } },
    run: seedDemoCommand,
  },
  serve: {
    summary:
      'production mode: run api, worker and web from the build, restart on crash: [--migrate] [--only api,worker,web]',
    options: { migrate: { type: 'boolean' }, only: { type: 'string' }, help: { type: 'boolean' } },
    run: serveCommand,
  },
  'dead-letters list': {
    summary: 'what the writers could not store, newest first: [--limit n]',
    options: { limit: { type: 'string' } },
    run: deadLettersListCommand,
  },
  'dead-letters replay': {
    summary: 're-append dead letters to the buffer and remove them from the list: [--id <id>]',
    options: { id: { type: 'string' } },
    run: deadLettersReplayCommand,
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(22)}${c.summary}`);
  return `usage: sightline <command> [options] [--json]\n\ncommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  // Two-word commands (`dead-letters list`) first.
  const [first, second, ...others] = argv;
  const [name, ...rest] = first && second && COMMANDS[`${first} ${second}`] ? [`${first} ${second}`, ...others] : argv;
  if (!name || name === '--help' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`sightline: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  let flags: CommandContext['flags'];
  try {
    flags = parseArgs({ args: rest, options: { ...command.options, json: { type: 'boolean' } }, strict: true }).values;
  } catch (error) {
    process.stderr.write(`sightline ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const out = createOutput(flags.json === true);
  try {
    await command.run({ env: loadCliEnv(), flags, out });
    return 0;
  } catch (error) {
    return reportFailure(name, error, out);
  }
}

function reportFailure(name: string, error: unknown, out: Output): number {
  const known = error instanceof AppError || error instanceof EnvError || error instanceof MigrationError;
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof AppError ? error.code : known ? 'ERROR' : 'INTERNAL';
  if (out.json) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
  process.stderr.write(`sightline ${name}: ${message}\n`);
  if (!known && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return 1;
}

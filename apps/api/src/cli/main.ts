import { parseArgs } from 'node:util';
import { SIGHTLINE_VERSION } from '@sightline/core/version';
import type { CliEnv } from '../env.ts';
import { EXIT, type Command, type CommandContext } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { commandHelp, commandSynopsis, mainHelp } from './help.ts';
import { createOutput, type Output } from './output.ts';

export type { CommandContext } from './command.ts';

const isHelp = (arg: string | undefined): boolean => arg === '--help' || arg === '-h';

/** The command an argv names (two-word ones first), and the arguments after it. */
function resolve(argv: string[]): { name: string; command: Command | undefined; rest: string[] } {
  const [first = '', second, ...others] = argv;
  const pair = second === undefined ? undefined : `${first} ${second}`;
  if (pair && COMMANDS[pair]) return { name: pair, command: COMMANDS[pair], rest: others };
  return { name: first, command: COMMANDS[first], rest: argv.slice(1) };
}

/** Commands sharing a first word (`dead-letters`): the word alone shows their list. */
function group(word: string): Array<[string, Command]> {
  return Object.entries(COMMANDS).filter(([name]) => name.startsWith(`${word} `));
}

export async function main(argv: string[]): Promise<number> {
  const [first] = argv;
  if (first === '--version' || first === '-v') {
    process.stdout.write(
      argv.includes('--json') ? `${JSON.stringify({ version: SIGHTLINE_VERSION })}\n` : `${SIGHTLINE_VERSION}\n`,
    );
    return EXIT.ok;
  }
  if (first === undefined) {
    process.stderr.write(mainHelp(COMMANDS));
    return EXIT.usage;
  }
  if (isHelp(first) || (first === 'help' && argv.length === 1)) {
    process.stdout.write(mainHelp(COMMANDS));
    return EXIT.ok;
  }
  const helpFor = first === 'help' ? argv.slice(1) : null;
  const { name, command, rest } = resolve(helpFor ?? argv);
  if (!command) {
    const members = group(name);
    if (members.length > 0 && (rest.length === 0 || rest.every(isHelp) || helpFor)) {
      const list = members.map(([n, c]) => `  ${n.padEnd(24)}${c.summary}`).join('\n');
      process.stdout.write(
        `sightline ${name} <subcommand>\n\nsubcommands:\n${list}\n\nrun sightline ${name} <subcommand> --help for its options\n`,
      );
      return rest.length === 0 && !helpFor ? EXIT.usage : EXIT.ok;
    }
    const named = members.length > 0 && rest[0] ? `${name} ${rest[0]}` : name;
    process.stderr.write(`sightline: unknown command "${named}"\n\n${mainHelp(COMMANDS)}`);
    return EXIT.usage;
  }
  if (helpFor || rest.some(isHelp)) {
    process.stdout.write(commandHelp(name, command));
    return EXIT.ok;
  }
  const flags = parseFlags(name, command, rest);
  if (!flags) return EXIT.usage;
  const out = createOutput(flags.json === true);
  // Imported here, not at the top: help and usage errors above need neither core nor Prisma.
  const { loadCliEnv } = await import('../env.ts');
  let env: CliEnv | undefined;
  const ctx: CommandContext = {
    get env() {
      env ??= loadCliEnv();
      return env;
    },
    flags,
    out,
  };
  try {
    return (await command.run(ctx)) ?? EXIT.ok;
  } catch (error) {
    return await reportFailure(name, error, out);
  }
}

function parseFlags(name: string, command: Command, args: string[]): CommandContext['flags'] | null {
  const options = Object.fromEntries(Object.entries(command.flags).map(([flag, spec]) => [flag, { type: spec.type }]));
  try {
    return parseArgs({ args, options: { ...options, json: { type: 'boolean' } }, strict: true }).values;
  } catch (error) {
    process.stderr.write(
      `sightline ${name}: ${describeParseError(error)}\n\nusage: ${commandSynopsis(name, command)}\n`,
    );
    process.stderr.write(`run sightline ${name} --help for what each option means\n`);
    return null;
  }
}

/** node:util's messages, without its advice about `--` that does not apply here. */
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const quoted = /'([^']+)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) return `unknown option ${quoted}`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && quoted) return `unexpected argument "${quoted}"`;
  return message;
}

async function reportFailure(name: string, error: unknown, out: Output): Promise<number> {
  const [{ AppError, EnvError }, { MigrationError }] = await Promise.all([
    import('@sightline/core'),
    import('@sightline/db/migrations'),
  ]);
  const known = error instanceof AppError || error instanceof EnvError || error instanceof MigrationError;
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof AppError ? error.code : known ? 'ERROR' : 'INTERNAL';
  if (out.json) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
  process.stderr.write(`sightline ${name}: ${message}\n`);
  if (!known && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return EXIT.failed;
}

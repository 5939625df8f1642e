import { SIGHTLINE_VERSION } from '@sightline/core/version';
import type { Command } from './command.ts';

const COMMON_FLAGS = [
  ['--json', 'print one JSON object on stdout (progress and errors go to stderr)'],
  ['-h, --help', 'show this help'],
] as const;

function flagLabel(name: string, spec: Command['flags'][string]): string {
  return spec.type === 'string' ? `--${name} ${spec.arg ?? '<value>'}` : `--${name}`;
}

/** `sightline <name> --email <address> [--name <name>] [--json]` */
export function commandSynopsis(name: string, command: Command): string {
  const parts = Object.entries(command.flags).map(([flag, spec]) =>
    spec.required ? flagLabel(flag, spec) : `[${flagLabel(flag, spec)}]`,
  );
  return ['sightline', name, ...parts, '[--json]'].join(' ');
}

export function commandHelp(name: string, command: Command): string {
  const rows: Array<[string, string]> = [
    ...Object.entries(command.flags).map(([flag, spec]): [string, string] => [
      flagLabel(flag, spec),
      `${spec.required ? '(required) ' : ''}${spec.help}`,
    ]),
    ...COMMON_FLAGS.map(([flag, help]): [string, string] => [flag, help]),
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return [
    `sightline ${name} — ${command.summary}`,
    '',
    `usage: ${commandSynopsis(name, command)}`,
    ...(command.description ? ['', command.description] : []),
    '',
    'options:',
    ...rows.map(([label, help]) => `  ${label.padEnd(width)}${help}`),
    '',
    `example${command.examples.length > 1 ? 's' : ''}:`,
    ...command.examples.map((e) => `  ${e}`),
    '',
  ].join('\n');
}

export function mainHelp(commands: Record<string, Command>): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length)) + 2;
  return [
    `Sightline ${SIGHTLINE_VERSION} — operator command line`,
    '',
    'usage: sightline <command> [options] [--json]',
    '       sightline <command> --help',
    '       sightline --version',
    '',
    'commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`),
    '',
    'Configuration comes from the environment (DATABASE_URL, REDIS_URL, …), as for the api.',
    'Exit codes: 0 done, 1 failed (or doctor found an error), 2 bad usage, 3 migrate --status found pending migrations.',
    '',
  ].join('\n');
}

import { SIGHTLINE_VERSION } from '@sightline/core/version';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './commands/index.ts';
import { runCli, type CliResult } from './testing.ts';

// No database needed: help and version must work on a machine that has nothing configured,
// so the environment here points at nothing.
const NOWHERE = { DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none', REDIS_URL: 'redis://127.0.0.1:1' };
const cli = (...args: string[]) => runCli(args, NOWHERE);

describe('sightline --version and --help', () => {
  it('prints the version', async () => {
    const plain = await cli('--version');
    expect(plain).toMatchObject({ code: 0, stdout: `${SIGHTLINE_VERSION}\n` });
    expect(SIGHTLINE_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(JSON.parse((await cli('--version', '--json')).stdout)).toEqual({ version: SIGHTLINE_VERSION });
  });

  it('lists every command with --help', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(`Sightline ${SIGHTLINE_VERSION}`);
    for (const name of ['migrate', 'doctor', 'create-user', 'reset-password', 'create-org', 'dead-letters list'])
      expect(help.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect((await cli('help')).stdout).toBe(help.stdout);
  });

  it('gives every command its own --help: usage, each flag with its meaning, an example', async () => {
    const names = Object.keys(COMMANDS);
    const results: CliResult[] = [];
    for (const name of names) results.push(await cli(...name.split(' '), '--help'));
    names.forEach((name, i) => {
      const { code, stdout } = results[i]!;
      expect(code, name).toBe(0);
      expect(stdout, name).toContain(`usage: sightline ${name}`);
      for (const [flag, spec] of Object.entries(COMMANDS[name]!.flags)) {
        expect(stdout, `${name} --${flag}`).toMatch(new RegExp(`--${flag}\\b.*\\s${escape(spec.help)}`));
      }
      expect(stdout, name).toMatch(/\nexamples?:\n {2}npx sightline /);
    });
    const createUser = results[names.indexOf('create-user')]!.stdout;
    expect(createUser).toMatch(/--email <address> +\(required\) the email address/);
    expect(createUser).toMatch(/--platform-admin +make the user a platform administrator/);
    expect((await cli('help', 'reset-password')).stdout).toContain('usage: sightline reset-password --email <address>');
    expect((await cli('dead-letters', '--help')).stdout).toMatch(/dead-letters replay/);
  }, 180_000);

  it('names an unknown command or option, shows the usage and exits 2', async () => {
    const command = await cli('launch-rockets');
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/unknown command "launch-rockets"/);
    expect(command.stderr).toContain('usage: sightline <command>');

    const option = await cli('create-user', '--email', 'a@example.test', '--admin');
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/sightline create-user: unknown option --admin/);
    expect(option.stderr).toContain('usage: sightline create-user --email <address> --password <password>');

    const positional = await cli('doctor', 'now');
    expect(positional.code).toBe(2);
    expect(positional.stderr).toMatch(/unexpected argument "now"/);
    expect((await cli('dead-letters', 'burn')).stderr).toMatch(/unknown command "dead-letters burn"/);
    expect((await cli()).code).toBe(2);
  }, 120_000);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

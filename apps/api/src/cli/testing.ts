import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// Tests run the CLI as an operator does: the bin script in its own process, with an
// environment of the test's choosing (nothing inherited that could point elsewhere).

const run = promisify(execFile);
export const CLI_BIN = fileURLToPath(new URL('../../bin/sightline.mjs', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'LANG'];

export async function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const base = Object.fromEntries(INHERITED.flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])));
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI_BIN, ...args], {
      env: { ...base, LOG_LEVEL: 'silent', ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

import type { CliEnv } from '../env.ts';
import type { Output } from './output.ts';

export interface CommandContext {
  /** Loaded on first use, so `doctor` can report a bad configuration instead of dying on it. */
  readonly env: CliEnv;
  flags: Record<string, string | boolean | undefined>;
  out: Output;
}

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** Placeholder shown in help for a string flag, e.g. `<address>`. */
  arg?: string;
  help: string;
  required?: boolean;
}

export interface Command {
  /** One line for the command list. */
  summary: string;
  /** A paragraph for `<command> --help`: what it does, what it changes. */
  description?: string;
  flags: Record<string, FlagSpec>;
  examples: string[];
  /** Resolves to the exit code (0 when nothing is returned). */
  run(ctx: CommandContext): Promise<number | void>;
}

/** Exit codes every command shares; `migrate --status` adds 3 (pending migrations). */
export const EXIT = { ok: 0, failed: 1, usage: 2, pending: 3 } as const;

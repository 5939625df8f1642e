import type { SpawnOptions } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface RestartPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  stableMs: number;
  loopExits: number;
  loopWindowMs: number;
}
/** What the supervisor adds to its own lines about a child. */
export interface ChildFields {
  child: string;
  pid?: number | undefined;
  code?: number | null;
  signal?: NodeJS.Signals | null;
}
export interface LineSink {
  write(chunk: string): unknown;
}
export declare const RESTART_POLICY: RestartPolicy;
export declare function jsonLogLine(
  level: number,
  processName: string,
  msg: string,
  fields?: Record<string, unknown>,
): string;
export declare function toJsonLines(stream: Readable, label: string, out: LineSink, level: number): void;
export declare function createSupervisor(options: {
  node?: string;
  env: NodeJS.ProcessEnv;
  say(line: string, fields?: ChildFields): void;
  warn(line: string, fields?: ChildFields): void;
  onStopped(): void;
  policy?: RestartPolicy;
  stdout?: LineSink;
  stderr?: LineSink;
}): {
  launch(label: string, args: string[], options?: SpawnOptions): void;
  stop(graceMs?: number): void;
  state(): { running: string[]; pendingRestarts: string[] };
  isStopping(): boolean;
};

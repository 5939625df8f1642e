import type { SpawnOptions } from 'node:child_process';

export interface RestartPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  stableMs: number;
  loopExits: number;
  loopWindowMs: number;
}
export declare const RESTART_POLICY: RestartPolicy;
export declare function createSupervisor(options: {
  node?: string;
  env: NodeJS.ProcessEnv;
  say(line: string): void;
  warn(line: string): void;
  onStopped(): void;
  policy?: RestartPolicy;
}): {
  launch(label: string, args: string[], options?: SpawnOptions): void;
  stop(graceMs?: number): void;
  state(): { running: string[]; pendingRestarts: string[] };
  isStopping(): boolean;
};

import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor } from './supervisor.mjs';

// The supervisor with real child processes and a fast clock: backoff, its reset, the exit
// loop report, and stop.

const FAST = { firstDelayMs: 50, maxDelayMs: 400, stableMs: 60_000, loopExits: 5, loopWindowMs: 120_000 };
let stopAll: (() => Promise<void>) | undefined;

afterEach(async () => {
  await stopAll?.();
  stopAll = undefined;
});

function start(policy = FAST) {
  const lines: string[] = [];
  let stopped!: () => void;
  const allStopped = new Promise<void>((resolve) => (stopped = resolve));
  const supervisor = createSupervisor({
    env: process.env,
    say: (line: string) => lines.push(line),
    warn: (line: string) => lines.push(line),
    onStopped: () => stopped(),
    policy,
  });
  stopAll = async () => {
    supervisor.stop(2_000);
    await allStopped;
  };
  return { supervisor, lines, allStopped };
}

async function until(check: () => boolean, seconds = 30): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the npm start supervisor', () => {
  it('restarts a child that exits with a doubling backoff, reports an exit loop, and leaves the others alone', async () => {
    const { supervisor, lines, allStopped } = start();
    supervisor.launch('steady', ['-e', 'setInterval(() => {}, 1000)']);
    supervisor.launch('crashy', ['-e', 'process.exit(3)']);
    await until(() => lines.some((l) => l.startsWith('EXIT LOOP')));
    const exits = lines.filter((l) => l.startsWith('crashy exited') || l.startsWith('EXIT LOOP'));
    expect(exits).toEqual([
      'crashy exited (code 3); restarting it in 0.05 s, the other processes keep running',
      'crashy exited (code 3); restarting it in 0.1 s, the other processes keep running',
      'crashy exited (code 3); restarting it in 0.2 s, the other processes keep running',
      'crashy exited (code 3); restarting it in 0.4 s, the other processes keep running',
      expect.stringMatching(/^EXIT LOOP: crashy exited 5 times within 120 s \(last: code 3\).*Retrying every 0.4 s/),
    ]);
    // It keeps retrying after the report.
    await until(() => lines.filter((l) => l.startsWith('crashy started')).length >= 6);
    expect(lines.filter((l) => l.startsWith('steady'))).toEqual([
      expect.stringMatching(/^steady started \(pid \d+\)$/),
    ]);

    supervisor.stop(2_000);
    await allStopped;
    // Nothing left running and no restart waiting to fire.
    expect(supervisor.state()).toEqual({ running: [], pendingRestarts: [] });
  });

  it('starts again from the shortest backoff once a child stayed up long enough', async () => {
    const { supervisor, lines } = start({ ...FAST, stableMs: 200 });
    supervisor.launch('slow', ['-e', 'setTimeout(() => process.exit(1), 400)']);
    await until(() => lines.filter((l) => l.startsWith('slow exited')).length >= 3);
    expect(lines.filter((l) => l.startsWith('slow exited')).slice(0, 3)).toEqual(
      Array.from(
        { length: 3 },
        () => 'slow exited (code 1); restarting it in 0.05 s, the other processes keep running',
      ),
    );
  });
});

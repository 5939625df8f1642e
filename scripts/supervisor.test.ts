import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor } from './supervisor.mjs';

// The supervisor with real child processes and a fast clock: backoff, its reset, the exit
// loop report, stop, and children's output kept one JSON object per line.

const FAST = { firstDelayMs: 50, maxDelayMs: 400, stableMs: 60_000, loopExits: 5, loopWindowMs: 120_000 };
let stopAll: (() => Promise<void>) | undefined;

afterEach(async () => {
  await stopAll?.();
  stopAll = undefined;
});

function start(policy = FAST, sinks: { stdout?: string[]; stderr?: string[] } = {}) {
  const lines: string[] = [];
  let stopped!: () => void;
  const allStopped = new Promise<void>((resolve) => (stopped = resolve));
  const supervisor = createSupervisor({
    env: process.env,
    say: (line: string) => lines.push(line),
    warn: (line: string) => lines.push(line),
    onStopped: () => stopped(),
    policy,
    stdout: { write: (chunk: string) => sinks.stdout?.push(chunk) },
    stderr: { write: (chunk: string) => sinks.stderr?.push(chunk) },
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

  it("keeps every line of a child's output one JSON object naming the process", async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const { supervisor } = start(FAST, { stdout, stderr });
    // A pino line naming itself from SIGHTLINE_PROCESS, a JSON line that names nothing, Next's
    // coloured banner split across two writes, a blank line, and a failure on stderr.
    const script = [
      'const w = (s) => process.stdout.write(s);',
      "w(JSON.stringify({ level: 30, time: 1, process: process.env.SIGHTLINE_PROCESS, msg: 'listening' }) + '\\n');",
      'w(\'{"level":40,"msg":"no process field"}\\n\');',
      "w('\\u001b[32m▲ Next.js\\u001b[39m rea');",
      "setTimeout(() => { w('dy in 1.2s\\n\\n'); process.stderr.write('Error: boom {not json\\n'); }, 50);",
      'setInterval(() => {}, 1000);',
    ].join('\n');
    supervisor.launch('web', ['-e', script]);
    await until(() => stderr.length > 0 && stdout.length >= 3);
    supervisor.stop(2_000);

    // Every chunk is exactly one line, and each line parses.
    for (const chunk of [...stdout, ...stderr]) expect(chunk).toMatch(/^\{[^\n]*\}\n$/);
    const out = stdout.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out.slice(0, 3)).toEqual([
      { level: 30, time: 1, process: 'web', msg: 'listening' },
      { process: 'web', level: 40, msg: 'no process field' },
      { level: 30, time: expect.any(Number) as unknown, process: 'web', msg: '▲ Next.js ready in 1.2s' },
    ]);
    expect(stderr.map((l) => JSON.parse(l) as unknown)).toEqual([
      { level: 50, time: expect.any(Number) as unknown, process: 'web', msg: 'Error: boom {not json' },
    ]);
    expect(Math.abs((out[2]!.time as number) - Date.now())).toBeLessThan(10_000);
  });

  it('passes the child pid and exit to its own lines as fields', async () => {
    const fields: unknown[] = [];
    let stopped!: () => void;
    const allStopped = new Promise<void>((resolve) => (stopped = resolve));
    const supervisor = createSupervisor({
      env: process.env,
      say: (_line, f) => fields.push(f),
      warn: (_line, f) => fields.push(f),
      onStopped: () => stopped(),
      policy: { ...FAST, firstDelayMs: 60_000 },
    });
    stopAll = async () => {
      supervisor.stop(2_000);
      await allStopped;
    };
    supervisor.launch('api', ['-e', 'process.exit(7)']);
    await until(() => fields.length >= 2);
    expect(fields).toEqual([
      { child: 'api', pid: expect.any(Number) as unknown },
      { child: 'api', code: 7, signal: null },
    ]);
  });
});

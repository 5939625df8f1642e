// The process supervisor of `npm start` and `sightline serve`: runs the api, the worker and the portal, and
// restarts one that exits instead of stopping the others — the three fail independently (an
// out-of-memory api must not stop the worker draining the buffer).
//
// Backoff doubles from 1 s to 30 s and resets once a child has stayed up a minute. Five
// exits within two minutes are an exit loop: reported loudly on every exit and still retried
// at the longest backoff, because the usual causes (PostgreSQL or Redis away, a full disk)
// heal on their own, and a supervisor that gives up turns a short outage into a long one.
import { spawn } from 'node:child_process';

export const RESTART_POLICY = {
  firstDelayMs: 1_000,
  maxDelayMs: 30_000,
  stableMs: 60_000,
  loopExits: 5,
  loopWindowMs: 120_000,
};

// Terminal colours some children (Next.js) print even into a pipe; a log line carries none.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/**
 * One pino-shaped JSON line: what the supervisor says itself under `serve`, and how a child's
 * plain-text line (Next's banner, a start-up failure) is carried. Levels are pino's.
 */
export function jsonLogLine(level, processName, msg, fields = {}) {
  return `${JSON.stringify({ level, time: Date.now(), process: processName, ...fields, msg })}\n`;
}

/**
 * A child's output, line by line, stays one JSON object per line for log shippers: pino's
 * lines pass unchanged (the child names its `process` itself; one that does not gets it
 * added), anything else is wrapped — info from stdout, error from stderr.
 */
export function toJsonLines(stream, label, out, level) {
  let pending = '';
  const write = (line) => {
    const text = line.replace(ANSI, '').trimEnd();
    if (text === '') return;
    if (text.startsWith('{')) {
      try {
        const value = JSON.parse(text);
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
          out.write('process' in value ? `${text}\n` : `${JSON.stringify({ process: label, ...value })}\n`);
          return;
        }
      } catch {
        // Not JSON after all: wrapped below like any other text.
      }
    }
    out.write(jsonLogLine(level, label, text));
  };
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) write(line);
  });
  stream.on('end', () => pending && write(pending));
}

/**
 * `say`/`warn` print the supervisor's own lines (with fields: `child`, `pid`, `code`,
 * `signal`); `onStopped` runs once every child has exited after `stop()`. Children's output
 * goes to `stdout`/`stderr` as JSON lines (toJsonLines), and each child gets
 * SIGHTLINE_PROCESS=<label> so its own logger names itself.
 */
export function createSupervisor({
  node = process.execPath,
  env,
  say,
  warn,
  onStopped,
  policy = RESTART_POLICY,
  stdout = process.stdout,
  stderr = process.stderr,
}) {
  const children = new Map();
  const pendingRestarts = new Map();
  let stopping = false;

  function launch(label, args, options = {}) {
    let delayMs = policy.firstDelayMs;
    let exits = [];
    const run = () => {
      pendingRestarts.delete(label);
      if (stopping) return;
      const startedAt = Date.now();
      const childEnv = { ...(options.env ?? env), SIGHTLINE_PROCESS: label };
      const child = spawn(node, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options, env: childEnv });
      toJsonLines(child.stdout, label, stdout, 30);
      toJsonLines(child.stderr, label, stderr, 50);
      say(`${label} started (pid ${child.pid})`, { child: label, pid: child.pid });
      child.on('exit', (code, signal) => {
        children.delete(label);
        if (stopping) {
          if (children.size === 0) onStopped();
          return;
        }
        const now = Date.now();
        if (now - startedAt >= policy.stableMs) delayMs = policy.firstDelayMs;
        exits = [...exits.filter((at) => now - at < policy.loopWindowMs), now];
        const how = signal ?? `code ${code}`;
        const fields = { child: label, code, signal };
        if (exits.length >= policy.loopExits) {
          delayMs = policy.maxDelayMs;
          warn(
            `EXIT LOOP: ${label} exited ${exits.length} times within ${policy.loopWindowMs / 1000} s (last: ${how}); ` +
              `it is not staying up — see its log above. Retrying every ${delayMs / 1000} s; the other processes keep running.`,
            fields,
          );
        } else {
          warn(
            `${label} exited (${how}); restarting it in ${delayMs / 1000} s, the other processes keep running`,
            fields,
          );
        }
        pendingRestarts.set(label, setTimeout(run, delayMs));
        delayMs = Math.min(delayMs * 2, policy.maxDelayMs);
      });
      children.set(label, child);
    };
    run();
  }

  /** SIGTERM to every child, SIGKILL after `graceMs`; pending restarts are cancelled. */
  function stop(graceMs = 10_000) {
    if (stopping) return;
    stopping = true;
    for (const timer of pendingRestarts.values()) clearTimeout(timer);
    pendingRestarts.clear();
    for (const child of children.values()) child.kill('SIGTERM');
    setTimeout(() => {
      for (const child of children.values()) child.kill('SIGKILL');
    }, graceMs).unref();
    if (children.size === 0) onStopped();
  }

  /** What runs and what waits for its backoff, by label. */
  const state = () => ({ running: [...children.keys()], pendingRestarts: [...pendingRestarts.keys()] });

  return { launch, stop, state, isStopping: () => stopping };
}

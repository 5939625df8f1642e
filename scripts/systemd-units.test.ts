import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadServerEnv } from '../apps/api/src/env.ts';
import { loadWorkerEnv } from '../apps/worker/src/env.ts';
import { NODE_FLAGS, RUNTIME_ENV } from './runtime-flags.mjs';

// deploy/systemd: each unit parses (systemd-analyze verify where systemd is installed), runs
// what `npm run build` leaves with the heaps `npm start` uses, is hardened, and reads an
// environment file whose example documents every variable the README documents and parses.

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = join(root, 'deploy/systemd');
const APP = '/opt/sightline/app';
const NODE = '/opt/sightline/node/bin/node';
const UNITS = {
  api: { script: 'apps/api/dist/main.mjs', source: 'apps/api/src/main.ts' },
  worker: { script: 'apps/worker/dist/main.mjs', source: 'apps/worker/src/main.ts' },
  web: { script: 'apps/web/next-server.mjs', source: 'apps/web/next-server.mjs' },
} as const;

/** `[Section]` → key → values (a key may repeat); comments and blank lines dropped. */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const sections: Record<string, Record<string, string[]>> = {};
  let current: Record<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(\w+)\]$/.exec(line);
    if (section) {
      current = sections[section[1]!] = {};
      continue;
    }
    const pair = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!pair || !current) throw new Error(`not a unit line: ${line}`);
    (current[pair[1]!] ??= []).push(pair[2]!);
  }
  return sections;
}

function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return env;
}

const envExample = readFileSync(join(dir, 'sightline.env.example'), 'utf8');

describe('systemd units', () => {
  for (const [name, expected] of Object.entries(UNITS)) {
    it(`sightline-${name}.service runs the built ${name} as sightline, hardened, restarting on failure`, () => {
      const unit = parseUnit(readFileSync(join(dir, `sightline-${name}.service`), 'utf8'));
      const service = unit.Service!;
      expect(service.User).toEqual(['sightline']);
      expect(service.EnvironmentFile).toEqual(['/etc/sightline/sightline.env']);
      expect(service.Restart).toEqual(['on-failure']);
      for (const [key, value] of [
        ['NoNewPrivileges', 'yes'],
        ['ProtectSystem', 'strict'],
        ['PrivateTmp', 'yes'],
      ]) {
        expect(service[key!], key).toEqual([value]);
      }
      expect(service.ReadWritePaths).toHaveLength(1);
      expect(unit.Install?.WantedBy).toEqual(['multi-user.target']);

      const [node, ...args] = service.ExecStart![0]!.split(/\s+/);
      expect(node).toBe(NODE);
      const script = args.find((a) => a.startsWith(`${APP}/`))!;
      expect(script).toBe(`${APP}/${expected.script}`);
      // The script is what the build makes from a source that exists here.
      expect(existsSync(join(root, expected.source)), expected.source).toBe(true);
      expect(existsSync(join(root, service.WorkingDirectory![0]!.replace(`${APP}/`, '')))).toBe(true);
      const environment = Object.fromEntries(
        service.Environment!.flatMap((e) => e.split(/\s+/)).map((kv) => kv.split('=') as [string, string]),
      );
      expect(environment.SIGHTLINE_PROCESS).toBe(name);
      if (name === 'api' || name === 'worker') {
        // The same bounded heaps as npm start and serve.
        expect(args.slice(0, args.indexOf(script))).toEqual(NODE_FLAGS[name]);
        expect(environment).toMatchObject(RUNTIME_ENV);
      }
      // Every ${VAR} the unit expands is in the example environment file.
      for (const [, variable] of service.ExecStart![0]!.matchAll(/\$\{(\w+)\}/g)) {
        expect(envExample).toMatch(new RegExp(`^${variable}=`, 'm'));
      }
    });
  }

  it('passes systemd-analyze verify (with this machine’s node and checkout in place of /opt/sightline)', () => {
    const analyze = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' }).stdout.trim();
    // Without systemd on the machine, the parse above is the check.
    if (!analyze) return;
    const tmp = mkdtempSync(join(tmpdir(), 'sightline-units-'));
    try {
      const files = Object.keys(UNITS).map((name) => {
        const path = join(tmp, `sightline-${name}.service`);
        const text = readFileSync(join(dir, `sightline-${name}.service`), 'utf8')
          .replaceAll(NODE, process.execPath)
          .replaceAll(APP, root.replace(/\/$/, ''));
        writeFileSync(path, text);
        return path;
      });
      const r = spawnSync(analyze, ['verify', ...files], { encoding: 'utf8' });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('sightline.env.example', () => {
  it('mentions every variable the README documents', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const documented = new Set(
      [...readme.matchAll(/^\| (`[A-Z][A-Z0-9_]+`(?:, `[A-Z][A-Z0-9_]+`)*) \|/gm)].flatMap((m) =>
        [...m[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((v) => v[1]!),
      ),
    );
    // The settings column of the Limits table names variables too.
    for (const m of readme.matchAll(/\| (`[A-Z][A-Z0-9_]+`(?:, `[A-Z][A-Z0-9_]+`)*) \|$/gm)) {
      for (const v of m[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) documented.add(v[1]!);
    }
    documented.delete('TEST_DATABASE_URL');
    expect(documented.size).toBeGreaterThan(30);
    const missing = [...documented].filter((v) => !new RegExp(`^#?${v}=`, 'm').test(envExample));
    expect(missing).toEqual([]);
  });

  it('is a valid api and worker configuration once SIGHTLINE_SECRET is set, and refuses to start without it', () => {
    const env = parseEnvFile(envExample);
    expect(env.SIGHTLINE_SECRET).toBe('');
    expect(() => loadServerEnv({ ...env, SIGHTLINE_SECRET: undefined })).toThrow(/SIGHTLINE_SECRET/);
    const configured = { ...env, SIGHTLINE_SECRET: 'x'.repeat(64) };
    expect(loadServerEnv(configured)).toMatchObject({ PORT: 4000, HOST: '127.0.0.1', NODE_ENV: 'production' });
    expect(loadWorkerEnv(configured)).toMatchObject({ WORKER_METRICS_PORT: 9464 });
  });
});

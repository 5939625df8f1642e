import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Platform } from '../core/client.ts';
import type { KeyValueStore } from '../core/queue.ts';

const gzipAsync = promisify(gzip);

const OS_NAMES: Record<string, string> = { darwin: 'macOS', linux: 'Linux', win32: 'Windows', freebsd: 'FreeBSD' };

/** Keeps the queue in a JSON file, so events and crashes survive a restart (optional). */
export function fileStore(path: string): KeyValueStore {
  let cache: Record<string, string> | null = null;
  const load = () => {
    if (cache) return cache;
    try {
      cache = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
    } catch {
      cache = {};
    }
    return cache;
  };
  return {
    get: (key) => load()[key] ?? null,
    set(key, value) {
      const all = load();
      all[key] = value;
      try {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, JSON.stringify(all));
      } catch {
        // A read-only disk: memory only.
      }
    },
  };
}

function memoryStore(): KeyValueStore {
  const data = new Map<string, string>();
  return { get: (key) => data.get(key) ?? null, set: (key, value) => void data.set(key, value) };
}

/** Node's fetch, crypto, zlib and timers (which never keep the process alive). */
export function nodePlatform(storePath?: string): Platform {
  return {
    fetch: (url, init) =>
      fetch(url, { ...init, body: init.body instanceof Uint8Array ? new Uint8Array(init.body) : init.body }),
    now: () => Date.now(),
    random: () => Math.random(),
    uuid: () => randomUUID(),
    sha256Hex: (text) => Promise.resolve(createHash('sha256').update(text).digest('hex')),
    setTimeout: (run, ms) => setTimeout(run, ms).unref(),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    store: storePath ? fileStore(storePath) : memoryStore(),
    gzip: async (text) => new Uint8Array(await gzipAsync(text)),
    context: () => ({
      os: OS_NAMES[process.platform] ?? process.platform,
      os_version: release(),
      device_model: 'server',
    }),
  };
}

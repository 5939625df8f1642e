import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Logger } from '@sightline/core';

// The browser SDK's <script> files the api serves at /sdk/… (routes/sdk-assets.ts). They are
// read once at start from the SDK package's dist/ (`npm run build -w @sightline/sdk`, or its
// `--scripts` step that `npm start` runs); when those are missing or older than the SDK's
// sources they are built once, in memory, with esbuild. Never at request time: hashes (ETag,
// SRI) are computed here, once.

export const SDK_SCRIPT_FILES = ['sightline.js', 'sightline.vitals.js'] as const;
export type SdkScriptFile = (typeof SDK_SCRIPT_FILES)[number];

export interface SdkScript {
  body: Buffer;
  /** Strong validator: the same bytes always give the same ETag, on every api instance. */
  etag: string;
  /** Subresource Integrity value for `<script integrity>`. */
  integrity: string;
}

export interface SdkBundles {
  /** The SDK package's version: the immutable URLs are /sdk/<version>/<file>. */
  version: string;
  files: ReadonlyMap<SdkScriptFile, SdkScript>;
  /** Where the bytes came from, for the start-up log line and tests. */
  source: 'dist' | 'built';
}

/** The installed @sightline/sdk package's directory (a workspace link in this repository). */
export function sdkPackageDir(): string {
  return dirname(createRequire(import.meta.url).resolve('@sightline/sdk/package.json'));
}

function describe(body: Buffer): SdkScript {
  const sha384 = createHash('sha384').update(body).digest('base64');
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { body, etag, integrity: `sha384-${sha384}` };
}

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  try {
    for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
    }
  } catch {
    // No sources (an installed package): the built files are all there is.
  }
  return newest;
}

async function readDist(dir: string): Promise<{ bodies: Buffer[]; stale: boolean } | null> {
  try {
    const bodies: Buffer[] = [];
    let oldest = Infinity;
    for (const file of SDK_SCRIPT_FILES) {
      bodies.push(await readFile(join(dir, 'dist', file)));
      oldest = Math.min(oldest, (await stat(join(dir, 'dist', file))).mtimeMs);
    }
    return { bodies, stale: (await newestSource(join(dir, 'src'))) > oldest };
  } catch {
    return null;
  }
}

async function buildInMemory(dir: string): Promise<Buffer[]> {
  const { buildScripts } = await import('@sightline/sdk/build');
  const built = await buildScripts(false, `${dir}/`);
  return built.map((b) => Buffer.from(b.code));
}

async function load(dir: string, log: Logger): Promise<SdkBundles | null> {
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { version: string };
  const dist = await readDist(dir);
  let bodies = dist && !dist.stale ? dist.bodies : null;
  let source: SdkBundles['source'] = 'dist';
  if (!bodies) {
    try {
      bodies = await buildInMemory(dir);
      source = 'built';
      log.info(
        { dir, reason: dist ? 'older than the sources' : 'not built' },
        'SDK <script> files built at start (run `npm run build -w @sightline/sdk` to serve prebuilt ones)',
      );
    } catch (error) {
      if (!dist) {
        log.error({ dir, err: String(error) }, 'SDK <script> files are not built and cannot be: /sdk/… answers 503');
        return null;
      }
      log.warn({ dir, err: String(error) }, 'SDK <script> files are older than the sources and cannot be rebuilt');
      bodies = dist.bodies;
    }
  }
  const files = new Map<SdkScriptFile, SdkScript>();
  SDK_SCRIPT_FILES.forEach((file, i) => files.set(file, describe(bodies[i] as Buffer)));
  return { version: manifest.version, files, source };
}

const loaded = new Map<string, Promise<SdkBundles | null>>();

/** The SDK's <script> files, loaded once per process and directory (every test api shares them). */
export function loadSdkBundles(log: Logger, dir = sdkPackageDir()): Promise<SdkBundles | null> {
  let bundles = loaded.get(dir);
  if (!bundles) {
    bundles = load(dir, log);
    loaded.set(dir, bundles);
  }
  return bundles;
}

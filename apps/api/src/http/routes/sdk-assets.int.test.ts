import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@sightline/core';
import { SIGHTLINE_VERSION } from '@sightline/core/version';
import { createTestDatabase, type TestDatabase } from '@sightline/db/testing';
import { buildScripts } from '@sightline/sdk/build';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSdkBundles } from '../sdk-bundles.ts';
import { buildServer } from '../server.ts';
import { createTestServerDeps } from '../testing.ts';

// The browser SDK served by the api: a moving alias (/sdk/v1/…) cached an hour and
// revalidated by ETag, immutable versioned copies, SRI hashes that match the bytes served,
// readable from any origin; anything else a clear 404.

let db: TestDatabase;
let deps: ReturnType<typeof createTestServerDeps>;
let api: FastifyInstance;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = createTestServerDeps(db.url, undefined, { serveSdk: true });
  api = await buildServer(deps);
}, 120_000);

afterAll(async () => {
  await api?.close();
  await deps?.close();
  await db?.drop();
});

const sha384 = (body: Buffer | string) => `sha384-${createHash('sha384').update(body).digest('base64')}`;
const get = (url: string, headers: Record<string, string> = {}) => api.inject({ method: 'GET', url, headers });

interface Manifest {
  version: string;
  files: Record<string, { path: string; integrity: string; immutablePath: string }>;
}

describe('GET /sdk/v1/…', () => {
  it.each(['sightline.js', 'sightline.vitals.js'])(
    'serves %s as JavaScript any origin may load, cached an hour with an ETag',
    async (file) => {
      const res = await get(`/sdk/v1/${file}`, { origin: 'https://shop.example' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(res.headers['cache-control']).toBe('public, max-age=3600, must-revalidate');
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(res.headers.etag).toMatch(/^"[\w-]{27}"$/);
      // The IIFE that exposes the global the snippet calls.
      expect(res.body).toContain('Sightline');
      expect(res.body.length).toBeGreaterThan(3000);
    },
  );

  it('serves the build of the current SDK sources, the vitals build carrying web-vitals', async () => {
    const [core, vitals] = await buildScripts();
    expect(sha384((await get('/sdk/v1/sightline.js')).rawPayload)).toBe(sha384(core!.code));
    const served = await get('/sdk/v1/sightline.vitals.js');
    expect(sha384(served.rawPayload)).toBe(sha384(vitals!.code));
    expect(served.body).toContain('largest-contentful-paint');
  });

  it('answers 304 without a body to a matching If-None-Match, and the file to a stale one', async () => {
    const first = await get('/sdk/v1/sightline.js');
    const etag = first.headers.etag as string;
    const again = await get('/sdk/v1/sightline.js', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    expect(again.headers['cache-control']).toBe('public, max-age=3600, must-revalidate');
    // Browsers may send several validators, or the weak form.
    expect((await get('/sdk/v1/sightline.js', { 'if-none-match': `"old", W/${etag}` })).statusCode).toBe(304);
    const stale = await get('/sdk/v1/sightline.js', { 'if-none-match': '"an-older-build"' });
    expect(stale.statusCode).toBe(200);
    expect(stale.body).toBe(first.body);
    // The other file has its own validator.
    expect((await get('/sdk/v1/sightline.vitals.js', { 'if-none-match': etag })).statusCode).toBe(200);
  });

  it('answers HEAD with the same headers and no body', async () => {
    const head = await api.inject({ method: 'HEAD', url: '/sdk/v1/sightline.js' });
    const full = await get('/sdk/v1/sightline.js');
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    for (const name of ['content-type', 'cache-control', 'etag', 'access-control-allow-origin'])
      expect(head.headers[name]).toBe(full.headers[name]);
  });
});

describe('GET /sdk/v1/integrity.json', () => {
  it('publishes the version and a sha384 that matches the bytes served, for both files', async () => {
    const res = await get('/sdk/v1/integrity.json', { origin: 'https://shop.example' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const manifest = res.json<Manifest>();
    expect(manifest.version).toBe(SIGHTLINE_VERSION);
    expect(Object.keys(manifest.files).sort()).toEqual(['sightline.js', 'sightline.vitals.js']);
    for (const [file, entry] of Object.entries(manifest.files)) {
      expect(entry.path).toBe(`/sdk/v1/${file}`);
      expect(entry.immutablePath).toBe(`/sdk/${SIGHTLINE_VERSION}/${file}`);
      expect(entry.integrity).toBe(sha384((await get(entry.path)).rawPayload));
      expect(entry.integrity).toBe(sha384((await get(entry.immutablePath)).rawPayload));
    }
    const etag = res.headers.etag as string;
    expect((await get('/sdk/v1/integrity.json', { 'if-none-match': etag })).statusCode).toBe(304);
  });
});

describe('GET /sdk/<version>/…', () => {
  it('serves the same bytes as the alias, cached for a year as immutable', async () => {
    const alias = await get('/sdk/v1/sightline.vitals.js');
    const pinned = await get(`/sdk/${SIGHTLINE_VERSION}/sightline.vitals.js`);
    expect(pinned.statusCode).toBe(200);
    expect(pinned.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(pinned.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(pinned.headers['access-control-allow-origin']).toBe('*');
    expect(pinned.headers.etag).toBe(alias.headers.etag);
    expect(pinned.body).toBe(alias.body);
    const manifest = (await get(`/sdk/${SIGHTLINE_VERSION}/integrity.json`)).json<Manifest>();
    expect(manifest.files['sightline.vitals.js']?.path).toBe(`/sdk/${SIGHTLINE_VERSION}/sightline.vitals.js`);
  });

  it.each([
    ['/sdk/0.0.1/sightline.js', `this server has SDK ${SIGHTLINE_VERSION}, not 0.0.1`],
    ['/sdk/latest/sightline.js', 'no SDK version "latest": use /sdk/v1/… or /sdk/<x.y.z>/…'],
    ['/sdk/v2/sightline.js', 'no SDK version "v2": use /sdk/v1/… or /sdk/<x.y.z>/…'],
    ['/sdk/v1/sightline.min.js', 'no SDK file "sightline.min.js": sightline.js, sightline.vitals.js, integrity.json'],
    ['/sdk/v1/package.json', 'no SDK file "package.json": sightline.js, sightline.vitals.js, integrity.json'],
    ['/sdk/v1/..%2Fpackage.json', 'no SDK file "../package.json": sightline.js, sightline.vitals.js, integrity.json'],
  ])('%s is a 404 naming what exists', async (url, message) => {
    const res = await get(url);
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND', message } });
  });
});

describe('where the files come from', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sightline-sdk-bundles-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const log = createLogger('sdk-bundles-test', 'silent');

  it('serves the prebuilt dist/ files of an installed package as they are', async () => {
    const pkg = join(dir, 'installed');
    await mkdir(join(pkg, 'dist'), { recursive: true });
    await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: '@sightline/sdk', version: '7.1.2' }));
    await writeFile(join(pkg, 'dist/sightline.js'), 'window.Sightline={init(){}};');
    await writeFile(join(pkg, 'dist/sightline.vitals.js'), 'window.Sightline={init(){},vitals:1};');
    const bundles = await loadSdkBundles(log, pkg);
    expect(bundles?.source).toBe('dist');
    const own = await buildServer({ ...deps, sdkBundles: bundles });
    try {
      const res = await own.inject({ url: '/sdk/7.1.2/sightline.js' });
      expect(res.body).toBe('window.Sightline={init(){}};');
      expect((await own.inject({ url: '/sdk/v1/integrity.json' })).json<Manifest>()).toEqual({
        version: '7.1.2',
        files: {
          'sightline.js': {
            path: '/sdk/v1/sightline.js',
            integrity: sha384('window.Sightline={init(){}};'),
            immutablePath: '/sdk/7.1.2/sightline.js',
          },
          'sightline.vitals.js': {
            path: '/sdk/v1/sightline.vitals.js',
            integrity: sha384('window.Sightline={init(){},vitals:1};'),
            immutablePath: '/sdk/7.1.2/sightline.vitals.js',
          },
        },
      });
    } finally {
      await own.close();
    }
  });

  it('answers 503 naming the fix when the files are neither built nor buildable', async () => {
    const pkg = join(dir, 'unbuilt');
    await mkdir(pkg, { recursive: true });
    await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: '@sightline/sdk', version: '7.1.2' }));
    const bundles = await loadSdkBundles(log, pkg);
    expect(bundles).toBeNull();
    const own = await buildServer({ ...deps, sdkBundles: bundles });
    try {
      const res = await own.inject({ url: '/sdk/v1/sightline.js' });
      expect(res.statusCode).toBe(503);
      const { error } = res.json<{ error: { code: string; message: string } }>();
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toBe('the SDK files are not built on this server (npm run build)');
    } finally {
      await own.close();
    }
  });
});

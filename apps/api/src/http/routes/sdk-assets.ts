import { AppError } from '@sightline/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SDK_SCRIPT_FILES, type SdkBundles, type SdkScriptFile } from '../sdk-bundles.ts';

// The browser SDK at stable URLs, for `<script src integrity crossorigin="anonymous">` on any
// site: /sdk/v1/<file> follows upgrades (cached an hour, revalidated by ETag), /sdk/<version>/
// <file> never changes (cached for a year, immutable), and /sdk/v1/integrity.json publishes the
// SRI hashes. A page that pins an SRI hash should load the versioned URL: the v1 alias
// changes bytes on upgrade, and the browser would then refuse the old hash.

const ALIAS = 'v1';
const ALIAS_CACHE = 'public, max-age=3600, must-revalidate';
const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

function isScript(file: string): file is SdkScriptFile {
  return (SDK_SCRIPT_FILES as readonly string[]).includes(file);
}

/** Public, cacheable by anyone, readable from any origin (SRI needs a CORS-readable answer). */
function publicHeaders(reply: FastifyReply, cacheControl: string, etag: string, contentType: string): void {
  void reply
    .header('content-type', contentType)
    .header('cache-control', cacheControl)
    .header('etag', etag)
    .header('access-control-allow-origin', '*')
    .header('cross-origin-resource-policy', 'cross-origin')
    .header('x-content-type-options', 'nosniff');
}

/** Does the request's If-None-Match name this ETag (or `*`)? */
function notModified(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (!header) return false;
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === etag || t === '*');
}

export function integrityManifest(bundles: SdkBundles, base: string) {
  return {
    version: bundles.version,
    files: Object.fromEntries(
      [...bundles.files].map(([file, script]) => [
        file,
        {
          path: `/sdk/${base}/${file}`,
          integrity: script.integrity,
          // Where the same bytes stay forever: the URL to pin an SRI hash to.
          immutablePath: `/sdk/${bundles.version}/${file}`,
        },
      ]),
    ),
  };
}

export function registerSdkAssetRoutes(app: FastifyInstance, bundles: SdkBundles | null): void {
  const manifests = bundles
    ? new Map(
        [ALIAS, bundles.version].map((base) => {
          const body = Buffer.from(JSON.stringify(integrityManifest(bundles, base)));
          return [base, { body, etag: `"m-${[...bundles.files.values()].map((f) => f.etag.slice(1, 9)).join('')}"` }];
        }),
      )
    : new Map();

  // GET routes answer HEAD too (Fastify's exposeHeadRoutes), with the same headers.
  app.get('/sdk/:version/:file', async (request, reply) => {
    const { version, file } = request.params as { version: string; file: string };
    if (version !== ALIAS && !/^\d+\.\d+\.\d+(?:-[\w.]+)?$/.test(version))
      throw new AppError('NOT_FOUND', `no SDK version "${version}": use /sdk/${ALIAS}/… or /sdk/<x.y.z>/…`);
    if (!bundles) throw new AppError('UNAVAILABLE', 'the SDK files are not built on this server (npm run build)');
    if (version !== ALIAS && version !== bundles.version)
      throw new AppError('NOT_FOUND', `this server has SDK ${bundles.version}, not ${version}`);
    const cacheControl = version === ALIAS ? ALIAS_CACHE : IMMUTABLE_CACHE;
    if (file === 'integrity.json') {
      const manifest = manifests.get(version) as { body: Buffer; etag: string };
      publicHeaders(reply, cacheControl, manifest.etag, 'application/json; charset=utf-8');
      if (notModified(request, manifest.etag)) return reply.code(304).send();
      return reply.send(manifest.body);
    }
    const script = isScript(file) ? bundles.files.get(file) : undefined;
    if (!script)
      throw new AppError('NOT_FOUND', `no SDK file "${file}": ${[...SDK_SCRIPT_FILES, 'integrity.json'].join(', ')}`);
    publicHeaders(reply, cacheControl, script.etag, 'text/javascript; charset=utf-8');
    if (notModified(request, script.etag)) return reply.code(304).send();
    return reply.send(script.body);
  });
}

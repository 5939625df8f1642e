#!/usr/bin/env node
// `npm run build`: everything production mode (`npm run serve`, the systemd units, the
// container) runs, built once — the SDK bundles and the portal (`next build`) through each
// workspace's own build script (turbo, in dependency order), then the api and worker bundles.
// Nothing is built at serve time.
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServices } from './build-services.mjs';
import { recordWebBuild } from './web-build-stamp.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const turbo = spawnSync(process.execPath, [join(root, 'node_modules/turbo/bin/turbo'), 'run', 'build'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', TURBO_TELEMETRY_DISABLED: '1' },
});
if (turbo.status !== 0) {
  process.stderr.write('build: turbo run build failed (see above)\n');
  process.exit(1);
}
// `npm start` then finds the portal current and does not build it again.
recordWebBuild(join(root, 'apps/web'));
await buildServices();
process.stdout.write('build: done — apps/api/dist, apps/worker/dist, apps/web/.next, SDK bundles\n');

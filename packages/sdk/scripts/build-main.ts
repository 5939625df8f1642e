import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildPackage, buildScripts } from './build.ts';

// `npm run build -w @sightline/sdk`: the <script> files the api serves (dist/sightline*.js)
// and the publishable package (dist/package). `--scripts`: only the former, in a second.

const root = fileURLToPath(new URL('..', import.meta.url));
await mkdir(`${root}dist`, { recursive: true });
const written = await buildScripts(true);
for (const b of written) process.stdout.write(`dist/${b.file}: ${b.bytes} bytes, ${b.gzip} bytes min+gzip\n`);
if (!process.argv.includes('--scripts')) {
  await buildPackage(`${root}dist/package`);
  process.stdout.write(`package: ${root}dist/package (npm publish from there)\n`);
}

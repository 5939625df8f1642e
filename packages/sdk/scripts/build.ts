import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

// Builds the browser SDK: the <script> files (IIFE, minified) with and without Web
// Vitals, and reports their min+gzip sizes (the budgets are checked in size.test.ts).

const root = fileURLToPath(new URL('..', import.meta.url));

export interface Built {
  file: string;
  bytes: number;
  gzip: number;
  code: string;
}

export async function buildScripts(write = false): Promise<Built[]> {
  const out: Built[] = [];
  for (const vitals of [false, true]) {
    const file = vitals ? 'sightline.vitals.js' : 'sightline.js';
    const result = await build({
      entryPoints: [`${root}src/browser/script.ts`],
      bundle: true,
      minify: true,
      format: 'iife',
      target: ['es2022'],
      define: { WITH_VITALS: String(vitals) },
      write,
      outfile: `${root}dist/${file}`,
      legalComments: 'none',
    });
    const code = write ? '' : result.outputFiles![0]!.text;
    const bytes = Buffer.byteLength(code);
    out.push({ file, bytes, gzip: gzipSync(code, { level: 9 }).length, code });
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const written = await buildScripts(false);
  const { writeFileSync, mkdirSync } = await import('node:fs');
  mkdirSync(`${root}dist`, { recursive: true });
  for (const b of written) {
    writeFileSync(`${root}dist/${b.file}`, b.code);
    process.stdout.write(`dist/${b.file}: ${b.bytes} bytes, ${b.gzip} bytes min+gzip\n`);
  }
}

// Whether the portal's production build (.next) matches its sources: `npm start` rebuilds it
// when not, `npm run build` records it after building, so a start after a build builds nothing.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function treeHash(dir, hash = createHash('sha256')) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (['node_modules', '.next', '.turbo'].includes(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) treeHash(path, hash);
    else
      hash
        .update(path)
        .update(String(statSync(path).mtimeMs))
        .update(readFileSync(path));
  }
  return hash;
}

const stampFile = (webDir) => join(webDir, '.next', 'sightline-source-hash');

export function webBuildIsCurrent(webDir) {
  const stamp = stampFile(webDir);
  return existsSync(stamp) && readFileSync(stamp, 'utf8') === treeHash(webDir).digest('hex');
}

export function recordWebBuild(webDir) {
  writeFileSync(stampFile(webDir), treeHash(webDir).digest('hex'));
}

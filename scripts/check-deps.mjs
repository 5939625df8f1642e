import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// Runs dependency-cruiser (.dependency-cruiser.cjs) over every room that exists: depcruise
// refuses a folder that is not there, and tests/ arrives with the tests workspace.
const rooms = ['apps', 'packages', 'scripts', 'tests'].filter((room) => existsSync(room));
const run = spawnSync('depcruise', ['--config', '.dependency-cruiser.cjs', '--output-type', 'err', ...rooms], {
  stdio: 'inherit',
});
// depcruise exits with the number of violations; 256 of them must not read as success.
process.exit(run.status === 0 ? 0 : 1);

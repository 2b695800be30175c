/** `npm run check:generated`: regenerate and fail when generated/ differs from what is committed. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'generate.ts')], { cwd: root, stdio: 'inherit' });
const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all', '--', 'generated'], { cwd: root, encoding: 'utf8' });
if (status.trim() !== '') {
  console.error(`generated/ is stale; run \`npm run generate\` and commit the result:\n${status}`);
  const diff = execFileSync('git', ['diff', '--stat', '--', 'generated'], { cwd: root, encoding: 'utf8' });
  console.error(diff);
  process.exit(1);
}
console.log('generated/ matches the contract');

/**
 * `pnpm act:workflows`: writes act-ready copies of .github/workflows into .github/act/workflows
 * (git-ignored), with `$/` references turned into paths act can resolve. Then, for example:
 *   act pull_request -W .github/act/workflows/train.yml
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ACT_WORKFLOWS_DIR, toActWorkflow } from '@wms/workflow-check';

const root = resolve(__dirname, '..');
const out = join(root, ACT_WORKFLOWS_DIR);
mkdirSync(out, { recursive: true });
const files = readdirSync(join(root, '.github/workflows')).filter((f) => /\.ya?ml$/.test(f));
for (const file of files) {
  writeFileSync(join(out, file), toActWorkflow(readFileSync(join(root, '.github/workflows', file), 'utf8')));
}
console.log(
  `${files.length} workflows written to ${ACT_WORKFLOWS_DIR}/ for act (run: act -W ${ACT_WORKFLOWS_DIR}/train.yml)`,
);

/**
 * `pnpm lint:workflows`: every workflow through actionlint, GitHub's parser and the project's
 * rules, every action.yml through GitHub's action parser, and the consumer contract (the fixture
 * consumer's call of train.yml resolves to files of the same release).
 *
 *   pnpm lint:workflows              the working tree
 *   pnpm lint:workflows --ref v1     the tree of a tag or commit (what release.yml runs)
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  checkRepository,
  CONSUMER_FIXTURE,
  CONSUMER_REF,
  PRODUCT,
  formatFinding,
  githubParseWorkflow,
  gitTree,
  loadWorkflow,
  productFileProvider,
  resolveConsumer,
  workingTree,
  type Finding,
} from '@wms/workflow-check';

const root = resolve(__dirname, '..');

async function main(): Promise<number> {
  const refIndex = process.argv.indexOf('--ref');
  const ref = refIndex > 0 ? process.argv[refIndex + 1] : undefined;
  const tree = ref ? gitTree(root, ref) : workingTree(root);
  const started = Date.now();
  const report = await checkRepository(tree);
  const consumer = loadWorkflow(CONSUMER_FIXTURE, readFileSync(join(root, CONSUMER_FIXTURE), 'utf8'));
  const resolution = resolveConsumer(consumer, tree, PRODUCT, CONSUMER_REF);
  const parsed = await githubParseWorkflow(CONSUMER_FIXTURE, consumer.file.text, productFileProvider(tree, PRODUCT));
  const findings: Finding[] = [...report.findings, ...resolution.findings, ...parsed];
  for (const f of findings) console.log(formatFinding(f));
  console.log(
    `${report.workflows.length} workflows, ${report.actions.length} actions, consumer reaches ${resolution.reached.length} product files (${tree.label}): ` +
      `${findings.length === 0 ? 'no findings' : `${findings.length} finding(s)`} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return findings.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);

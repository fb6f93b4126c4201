import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONSUMER_FIXTURE,
  CONSUMER_REF,
  githubParseWorkflow,
  gitTree,
  loadWorkflow,
  memoryTree,
  PRODUCT,
  productFileProvider,
  resolveConsumer,
  workingTree,
} from '@wms/workflow-check';

const ROOT = join(__dirname, '..', '..', '..');
const consumer = loadWorkflow(CONSUMER_FIXTURE, readFileSync(join(ROOT, CONSUMER_FIXTURE), 'utf8'));

describe('consumer fixture: uses your-org/wms-pipeline/.github/workflows/train.yml@v1', () => {
  it('reaches only files of the product at the called ref, and all of them exist', () => {
    const tree = workingTree(ROOT);
    const result = resolveConsumer(consumer, tree, PRODUCT, CONSUMER_REF);
    expect(result.findings).toEqual([]);
    expect(result.reached).toEqual(
      expect.arrayContaining([
        '.github/workflows/train.yml',
        'actions/data-qa/action.yml',
        'actions/data-qa/dist/index.js',
        'actions/data-pull/action.yml',
        'actions/data-pull/dist/index.js',
        'actions/train/action.yml',
        'actions/quality-gate/action.yml',
        'actions/promote/action.yml',
      ]),
    );
    for (const path of result.reached) expect(tree.read(path)).toBeDefined();
    // Third-party actions are pinned by SHA (the product's own rules check the comment).
    for (const uses of result.thirdParty) expect(uses).toMatch(/@[0-9a-f]{40}$/);
  });

  it('resolves the same way in the committed tree (git HEAD), as release.yml checks the tag', () => {
    const result = resolveConsumer(consumer, gitTree(ROOT, 'HEAD'), PRODUCT, CONSUMER_REF);
    expect(result.findings).toEqual([]);
    expect(result.reached).toContain('actions/train/dist/index.js');
  });

  it("passes GitHub's parser with train.yml fetched: every input it gives exists, every required one is given", async () => {
    const provider = productFileProvider(workingTree(ROOT), PRODUCT);
    expect(await githubParseWorkflow(CONSUMER_FIXTURE, consumer.file.text, provider)).toEqual([]);
  });
});

it("fails a consumer whose calling job allows less than train.yml's jobs need", () => {
  const tight = loadWorkflow(CONSUMER_FIXTURE, consumer.file.text.replace(/^ {6}statuses: write.*\n/m, ''));
  const findings = resolveConsumer(tight, workingTree(ROOT), PRODUCT, CONSUMER_REF).findings;
  expect(findings).toEqual([
    expect.objectContaining({
      rule: 'call-permissions',
      message: expect.stringContaining("job 'merge' asks for statuses: write"),
    }),
  ]);
});

describe('resolveConsumer on products that break the contract', () => {
  const action = 'name: a\ndescription: d\nruns:\n  using: node24\n  main: dist/index.js\n';
  const product = (train: string, extra: Record<string, string> = {}) =>
    memoryTree({
      '.github/workflows/train.yml': train,
      'actions/a/action.yml': action,
      'actions/a/dist/index.js': '',
      ...extra,
    });
  const train = (uses: string) =>
    `on: workflow_call\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: ${uses}\n`;
  const findingsFor = (tree: ReturnType<typeof memoryTree>) =>
    resolveConsumer(consumer, tree, PRODUCT, CONSUMER_REF).findings;

  it('resolves $/ actions with their bundles', () => {
    expect(findingsFor(product(train('$/actions/a')))).toEqual([]);
  });

  it("rejects ./ inside the product: it would resolve in the consumer's workspace", () => {
    expect(findingsFor(product(train('./actions/a')))).toEqual([
      expect.objectContaining({ rule: 'consumer-ref', message: expect.stringContaining("use '$/actions/a'") }),
    ]);
  });

  it('rejects the product pinning another release of itself', () => {
    expect(findingsFor(product(train('your-org/wms-pipeline/actions/a@v2')))).toEqual([
      expect.objectContaining({ message: expect.stringContaining("pins release 'v2', not the called 'v1'") }),
    ]);
  });

  it('rejects an action whose bundle is not committed, and a called workflow that is missing', () => {
    const noDist = memoryTree({ '.github/workflows/train.yml': train('$/actions/a'), 'actions/a/action.yml': action });
    expect(findingsFor(noDist)).toEqual([
      expect.objectContaining({ message: expect.stringContaining('actions/a/dist/index.js') }),
    ]);
    const nested = `on: workflow_call\njobs:\n  infra:\n    uses: $/.github/workflows/ec2-control.yml\n`;
    expect(findingsFor(product(nested))).toEqual([
      expect.objectContaining({ message: expect.stringContaining('ec2-control.yml does not exist') }),
    ]);
  });

  it('follows called workflows and composite actions', () => {
    const composite = 'name: c\ndescription: d\nruns:\n  using: composite\n  steps:\n    - uses: ./actions/a\n';
    const tree = product(train('$/actions/c'), { 'actions/c/action.yml': composite });
    expect(findingsFor(tree)).toEqual([
      expect.objectContaining({ file: 'actions/c/action.yml', message: expect.stringContaining('./actions/a') }),
    ]);
  });
});

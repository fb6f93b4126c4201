import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkDocExample, memoryTree, refreshMarkedBlocks, workingTree, yamlBlocks } from '@wms/workflow-check';
import { execFileSync } from 'node:child_process';
import { documentedFiles } from '../../../scripts/docs';

const ROOT = join(__dirname, '..', '..', '..');

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  const actions = readdirSync(join(ROOT, 'actions'))
    .map((a) => `actions/${a}/README.md`)
    .filter((f) => existsSync(join(ROOT, f)));
  return ['README.md', ...docs, ...actions];
}

const ACTION = `name: a
description: d
inputs:
  dataset-dir:
    description: Dataset | root
    required: true
  report-dir:
    description: where
    default: report
outputs:
  valid:
    description: ok
runs:
  using: node24
  main: dist/index.js
`;

describe('generated blocks', () => {
  it('renders action inputs and outputs from action.yml between markers, replacing what was there', () => {
    const tree = memoryTree({ 'actions/a/action.yml': ACTION });
    const md =
      '# a\n<!-- wms:generated action-inputs actions/a -->\nold table\n<!-- wms:end -->\n<!-- wms:generated action-outputs actions/a -->\n<!-- wms:end -->\n';
    const out = refreshMarkedBlocks(md, tree);
    expect(out).not.toContain('old table');
    expect(out).toContain('| `dataset-dir` | yes |  | Dataset \\| root |');
    expect(out).toContain('| `report-dir` | no | `report` | where |');
    expect(out).toContain('| `valid` | ok |');
    expect(refreshMarkedBlocks(out, tree)).toBe(out);
  });

  it('fails naming the block when its target is missing', () => {
    expect(() =>
      refreshMarkedBlocks('<!-- wms:generated action-inputs actions/x -->\n<!-- wms:end -->', memoryTree({})),
    ).toThrow('wms:generated action-inputs actions/x: no action.yml in actions/x');
  });

  it('are up to date in every doc and action README (pnpm docs refreshes them)', () => {
    expect(documentedFiles()).toEqual(expect.arrayContaining(['docs/WORKFLOWS.md', 'docs/USAGE.md']));
    // A child process: prettier 3 formats through import(), which jest's VM does not provide.
    const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
    const out = execFileSync(tsx, [join(ROOT, 'scripts', 'docs.ts'), '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toContain('all up to date');
  }, 60_000);
});

it('docs/WORKFLOWS.md documents every action', () => {
  const workflows = readFileSync(join(ROOT, 'docs/WORKFLOWS.md'), 'utf8');
  const actions = readdirSync(join(ROOT, 'actions')).filter((a) => existsSync(join(ROOT, 'actions', a, 'action.yml')));
  expect(actions.length).toBeGreaterThanOrEqual(4);
  for (const a of actions) expect(workflows).toContain(`<!-- wms:generated action-inputs actions/${a} -->`);
});

it('has no two docs whose names differ only by case (they collide on macOS and Windows checkouts)', () => {
  const names = readdirSync(join(ROOT, 'docs'));
  const lower = names.map((n) => n.toLowerCase());
  expect(names.filter((_n, i) => lower.indexOf(lower[i] ?? '') !== i)).toEqual([]);
  expect(names).toContain('ARCHITECTURE.md');
});

describe('YAML examples in the docs', () => {
  it("flag an input the action does not have (the README's old data-dir) and a missing required input", () => {
    const tree = memoryTree({ 'actions/data-qa/action.yml': ACTION });
    const md = '```yaml\n- uses: <owner>/wms-pipeline/actions/data-qa@v1\n  with:\n    data-dir: x\n```\n';
    const findings = yamlBlocks('README.md', md).flatMap((b) => checkDocExample(b, tree));
    expect(findings.map((f) => f.rule).sort()).toEqual(['required-input', 'unknown-input']);
    expect(findings.find((f) => f.rule === 'unknown-input')?.message).toContain("'data-dir'");
    const abbreviated = '```yaml\n- uses: ./actions/data-qa\n  with: { data-dir: … }\n```\n';
    expect(
      yamlBlocks('x.md', abbreviated)
        .flatMap((b) => checkDocExample(b, tree))
        .map((f) => f.rule),
    ).toEqual(['unknown-input']);
  });

  it('match the real action.yml files in README.md, docs/ and every action README', () => {
    const tree = workingTree(ROOT);
    const blocks = markdownFiles().flatMap((f) => yamlBlocks(f, readFileSync(join(ROOT, f), 'utf8')));
    expect(blocks.filter((b) => /actions\/[a-z-]+/.test(b.text)).length).toBeGreaterThan(3);
    expect(blocks.flatMap((b) => checkDocExample(b, tree))).toEqual([]);
  });
});

import { join } from 'node:path';
import { actionlint, checkRepository, githubParseAction, githubParseWorkflow, workingTree } from '@wms/workflow-check';

const ROOT = join(__dirname, '..', '..', '..');

const VALID = `on: push
jobs:
  a:
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    steps:
      - id: x
        run: echo "y=1" >> "$GITHUB_OUTPUT"
      - uses: $/actions/data-qa
      - run: echo "\${{ steps.x.outputs.y }} \${{ job.workflow_sha }}"
`;

describe('actionlint (WebAssembly)', () => {
  it('reports an undefined context property and a job that does not exist in needs', async () => {
    const broken = VALID.replace('steps.x.outputs.y', 'github.nope').replace(
      '    timeout-minutes: 5\n',
      '    needs: b\n    timeout-minutes: 5\n',
    );
    const findings = await actionlint('w.yml', broken);
    expect(findings.map((f) => f.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('property "nope" is not defined'),
        expect.stringContaining('needs job "b" which does not exist'),
      ]),
    );
  }, 30_000);

  it('drops only its outdated messages about $/ and job.workflow_*', async () => {
    expect(await actionlint('w.yml', VALID)).toEqual([]);
  }, 30_000);
});

describe("GitHub's workflow parser", () => {
  it('reports a key the workflow schema does not have, and an unknown needs', async () => {
    const findings = await githubParseWorkflow('w.yml', VALID.replace('    timeout-minutes: 5\n', '    timeout: 5\n'));
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'github-parser', message: expect.stringContaining("'timeout'") }),
    ]);
    const needs = await githubParseWorkflow(
      'w.yml',
      VALID.replace('    timeout-minutes: 5\n', '    needs: b\n    timeout-minutes: 5\n'),
    );
    expect(needs.map((f) => f.message).join('\n')).toMatch(/b/);
    expect(needs.length).toBeGreaterThan(0);
  });

  it('checks the inputs of a called workflow it is given', async () => {
    const caller = `on: push\njobs:\n  c:\n    uses: $/.github/workflows/x.yml\n    with:\n      zone: a\n`;
    const called =
      'on:\n  workflow_call:\n    inputs:\n      mode: {type: string, required: true}\njobs:\n  z:\n    runs-on: ubuntu-24.04\n    steps: [{run: a}]\n';
    const provider = { getFileContent: async () => ({ name: 'x.yml', content: called }) };
    const messages = (await githubParseWorkflow('w.yml', caller, provider)).map((f) => f.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Input mode is required'),
        expect.stringContaining('zone is not defined'),
      ]),
    );
  });

  it('validates action.yml files and rejects one without runs', () => {
    expect(
      githubParseAction('a/action.yml', 'name: a\ndescription: d\nruns:\n  using: node24\n  main: dist/index.js\n'),
    ).toEqual([]);
    expect(githubParseAction('a/action.yml', 'name: a\ndescription: d\n').length).toBeGreaterThan(0);
  });
});

describe('this repository', () => {
  it("every workflow and action passes actionlint, GitHub's parser and the project rules", async () => {
    const report = await checkRepository(workingTree(ROOT));
    expect(report.workflows).toEqual(
      expect.arrayContaining(['.github/workflows/ci.yml', '.github/workflows/train.yml']),
    );
    expect(report.actions).toEqual(
      expect.arrayContaining(['actions/data-qa', 'actions/train', 'actions/quality-gate', 'actions/promote']),
    );
    expect(report.findings).toEqual([]);
  }, 60_000);
});

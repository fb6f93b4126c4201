import { checkWorkflow, loadWorkflow, memoryTree, type Finding, type RuleId } from '@wms/workflow-check';

const CHECKOUT = 'actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0';

/** A repository with one node action (two inputs, one required; two outputs) and a callable workflow. */
const REPO = {
  'actions/qa/action.yml': `name: qa
description: d
inputs:
  dataset-dir:
    description: root
    required: true
  report-dir:
    description: where
    required: false
    default: report
outputs:
  valid:
    description: ok
  pairs:
    description: n
runs:
  using: node24
  main: dist/index.js
`,
  '.github/workflows/infra.yml': `on:
  workflow_call:
    inputs:
      mode:
        type: string
        required: true
      region:
        type: string
        default: eu-west-1
    secrets:
      TOKEN:
        required: true
    outputs:
      url:
        value: \${{ jobs.start.outputs.url }}
jobs:
  start:
    runs-on: ubuntu-24.04
    outputs:
      url: \${{ steps.s.outputs.url }}
    steps:
      - id: s
        run: echo "url=http://x" >> "$GITHUB_OUTPUT"
`,
};

function check(workflow: string, extra: Record<string, string> = {}): Finding[] {
  const files = { ...REPO, ...extra, '.github/workflows/w.yml': workflow };
  const tree = memoryTree(files);
  return checkWorkflow(loadWorkflow('.github/workflows/w.yml', workflow), tree, { requirePins: true });
}

const rules = (findings: Finding[]): RuleId[] => findings.map((f) => f.rule);

const GOOD = `on: push
permissions:
  contents: read
jobs:
  qa:
    runs-on: ubuntu-24.04
    timeout-minutes: 10
    outputs:
      pairs: \${{ steps.qa.outputs.pairs }}
      note: \${{ steps.note.outputs.text }}
    steps:
      - uses: ${CHECKOUT}
      - id: qa
        uses: ./actions/qa
        with:
          dataset-dir: data
      - id: note
        if: steps.qa.outputs.valid == 'true'
        run: |
          echo "text=valid" >> "$GITHUB_OUTPUT"
  infra:
    needs: qa
    uses: ./.github/workflows/infra.yml
    with:
      mode: \${{ needs.qa.outputs.pairs }}
    secrets:
      TOKEN: \${{ secrets.T }}
  after:
    needs: [qa, infra]
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    steps:
      - run: echo "\${{ needs.infra.outputs.url }} \${{ needs.qa.outputs.note }}"
`;

describe('workflow rules', () => {
  it('find nothing in a workflow that keeps every rule', () => {
    expect(check(GOOD)).toEqual([]);
  });

  it('uses-exists: a local action or called workflow that is not there', () => {
    const findings = check(GOOD.replace('./actions/qa', './actions/qa-typo').replace('infra.yml', 'infra-typo.yml'));
    expect(rules(findings)).toEqual(expect.arrayContaining(['uses-exists', 'uses-exists']));
    expect(findings.find((f) => f.message.includes('actions/qa-typo'))).toMatchObject({ line: 14 });
    expect(findings.some((f) => f.message.includes('.github/workflows/infra-typo.yml'))).toBe(true);
  });

  it('uses-exists: $/ paths are checked like ./ paths', () => {
    const findings = check(GOOD.replace('./actions/qa', '$/actions/nope'));
    expect(findings).toEqual([expect.objectContaining({ rule: 'uses-exists', line: 14 })]);
  });

  it('unknown-input: a with: key the action does not declare (the README data-dir mistake)', () => {
    const findings = check(GOOD.replace('dataset-dir: data', 'dataset-dir: data\n          data-dir: data'));
    expect(findings).toEqual([expect.objectContaining({ rule: 'unknown-input', line: 17 })]);
    expect(findings[0]?.message).toContain("'data-dir'");
    expect(findings[0]?.message).toContain('dataset-dir, report-dir');
  });

  it('unknown-input: an input the called workflow does not declare', () => {
    const findings = check(GOOD.replace('      mode: ${{ needs.qa.outputs.pairs }}', '      mode: x\n      zone: y'));
    expect(findings).toEqual([expect.objectContaining({ rule: 'unknown-input' })]);
    expect(findings[0]?.message).toContain("'zone'");
  });

  it('required-input: a required action input, workflow input or secret left out', () => {
    expect(rules(check(GOOD.replace('          dataset-dir: data\n', '          report-dir: r\n')))).toEqual([
      'required-input',
    ]);
    expect(rules(check(GOOD.replace('      mode: ${{ needs.qa.outputs.pairs }}\n', '      region: x\n')))).toEqual([
      'required-input',
    ]);
    expect(rules(check(GOOD.replace('    secrets:\n      TOKEN: ${{ secrets.T }}\n', '')))).toEqual(['required-input']);
  });

  it('step-output: an output the action does not declare', () => {
    const findings = check(GOOD.replace("steps.qa.outputs.valid == 'true'", "steps.qa.outputs.passed == 'true'"));
    expect(findings).toEqual([expect.objectContaining({ rule: 'step-output', line: 18 })]);
    expect(findings[0]?.message).toContain('actions/qa has outputs: valid, pairs');
  });

  it('step-output: a step id that does not exist, or only later in the job', () => {
    expect(rules(check(GOOD.replace('steps.qa.outputs.pairs', 'steps.qaa.outputs.pairs')))).toEqual(['step-output']);
    const later = GOOD.replace(
      "        if: steps.qa.outputs.valid == 'true'\n",
      "        if: steps.qa.outputs.valid == 'true'\n        env:\n          X: ${{ steps.late.outputs.y }}\n",
    ).replace(
      '          echo "text=valid" >> "$GITHUB_OUTPUT"\n',
      '          echo "text=valid" >> "$GITHUB_OUTPUT"\n      - id: late\n        run: echo "y=1" >> "$GITHUB_OUTPUT"\n',
    );
    expect(check(later)).toEqual([expect.objectContaining({ rule: 'step-output' })]);
  });

  it('step-output: a run step that never writes the output to $GITHUB_OUTPUT', () => {
    const findings = check(GOOD.replace('echo "text=valid"', 'echo "message=valid"'));
    expect(findings).toEqual([expect.objectContaining({ rule: 'step-output' })]);
    expect(findings[0]?.message).toContain("run step 'note' does not write it");
  });

  it('needs-output: a job not in needs, or an output the job does not declare', () => {
    expect(rules(check(GOOD.replace('needs: [qa, infra]', 'needs: [infra]')))).toEqual(['needs-output']);
    expect(rules(check(GOOD.replace('needs.qa.outputs.note', 'needs.qa.outputs.notes')))).toEqual(['needs-output']);
    expect(rules(check(GOOD.replace('needs.infra.outputs.url', 'needs.infra.outputs.uri')))).toEqual(['needs-output']);
  });

  it('call-output: a workflow_call output that reads an undeclared job output', () => {
    const callable = `on:
  workflow_call:
    outputs:
      pairs:
        value: \${{ jobs.qa.outputs.pair }}
permissions: {}
jobs:
  qa:
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    outputs:
      pairs: \${{ steps.qa.outputs.pairs }}
    steps:
      - id: qa
        uses: $/actions/qa
        with:
          dataset-dir: d
`;
    expect(check(callable)).toEqual([expect.objectContaining({ rule: 'call-output', line: 4 })]);
    expect(check(callable.replace('jobs.qa.outputs.pair }', 'jobs.qa.outputs.pairs }'))).toEqual([]);
  });

  it("self-reference: a callable workflow's ./ action resolves in the caller's checkout", () => {
    const callable = `on: workflow_call
permissions: {}
jobs:
  qa:
    runs-on: ubuntu-24.04
    timeout-minutes: 5
    steps:
      - uses: ./actions/qa
        with:
          dataset-dir: d
`;
    const findings = check(callable);
    expect(findings).toEqual([expect.objectContaining({ rule: 'self-reference', line: 8 })]);
    expect(findings[0]?.message).toContain("'$/actions/qa'");
    expect(check(callable.replace('./actions/qa', '$/actions/qa'))).toEqual([]);
  });

  it('pinned: a third-party action by tag, or by SHA without the release comment', () => {
    const byTag = check(GOOD.replace(CHECKOUT, 'actions/checkout@v5'));
    expect(byTag).toEqual([expect.objectContaining({ rule: 'pinned', line: 12 })]);
    const noComment = check(GOOD.replace(CHECKOUT, 'actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8'));
    expect(noComment).toEqual([expect.objectContaining({ rule: 'pinned' })]);
    expect(noComment[0]?.message).toContain('# vX.Y.Z');
  });

  it('timeout: a job that runs steps without timeout-minutes (a calling job needs none)', () => {
    const findings = check(GOOD.replace('    timeout-minutes: 5\n', ''));
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'timeout', message: expect.stringContaining("job 'after'") }),
    ]);
  });

  it('permissions: no top-level permissions while a job sets none', () => {
    const findings = check(GOOD.replace('permissions:\n  contents: read\n', ''));
    expect(findings).toEqual([expect.objectContaining({ rule: 'permissions', line: 1 })]);
    expect(findings[0]?.message).toContain('qa, infra, after');
  });

  it("call-permissions: a called workflow's job asking for more than the calling job allows", () => {
    const infra = REPO['.github/workflows/infra.yml'].replace(
      '    runs-on: ubuntu-24.04\n',
      '    runs-on: ubuntu-24.04\n    permissions:\n      contents: read\n      id-token: write\n',
    );
    const extra = { '.github/workflows/infra.yml': infra };
    const tight = GOOD.replace(
      '  infra:\n    needs: qa\n',
      '  infra:\n    needs: qa\n    permissions:\n      contents: read\n',
    );
    const findings = check(tight, extra);
    expect(findings).toEqual([expect.objectContaining({ rule: 'call-permissions' })]);
    expect(findings[0]?.message).toContain(
      "whose job 'start' asks for id-token: write, but 'infra' allows only contents: read",
    );
    const enough = GOOD.replace(
      '  infra:\n    needs: qa\n',
      '  infra:\n    needs: qa\n    permissions:\n      contents: read\n      id-token: write\n',
    );
    expect(check(enough, extra)).toEqual([]);
  });

  it('pinned third-party actions: with: keys and outputs against their action.yml at the pin (known-actions.json)', () => {
    const upload = 'actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0';
    const workflow = GOOD.replace(
      '      - id: note\n',
      `      - id: up\n        uses: ${upload}\n        with:\n          name: r\n          paths: report/\n      - id: note\n`,
    ).replace("steps.qa.outputs.valid == 'true'", "steps.up.outputs.artifact-idd != ''");
    const findings = check(workflow);
    expect(findings.map((f) => f.rule).sort()).toEqual(['required-input', 'step-output', 'unknown-input']);
    expect(findings.find((f) => f.rule === 'unknown-input')?.message).toContain(
      "'paths', which actions/upload-artifact v7.0.0 does not declare",
    );
    expect(findings.find((f) => f.rule === 'required-input')?.message).toContain("'path'");
    expect(findings.find((f) => f.rule === 'step-output')?.message).toContain('artifact-id');
    const fixed = workflow.replace('paths: report/', 'path: report/').replace('artifact-idd', 'artifact-id');
    expect(check(fixed)).toEqual([]);
  });
});

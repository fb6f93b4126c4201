/**
 * What running the workflows under act relies on, checked without Docker: .actrc maps every
 * runner label the workflows use and names files that exist, the event payloads carry every
 * github.event field the workflows read, and train.yml's admit step (plain bash, the part act
 * runs the same as GitHub) admits the PR fixture and refuses the fork fixture.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import webhookSchema from '@octokit/webhooks-schemas';
import { buildActEvents } from '../src/act-events';
import {
  ACT_WORKFLOWS_DIR,
  checkWorkflow,
  listWorkflows,
  loadWorkflow,
  memoryTree,
  readWorkflow,
  toActWorkflow,
  workingTree,
} from '@wms/workflow-check';

const ROOT = join(__dirname, '..', '..', '..');
const tree = workingTree(ROOT);
const event = (name: string) =>
  JSON.parse(readFileSync(join(ROOT, '.github/act', name), 'utf8')) as Record<string, unknown>;

function pick(obj: unknown, path: string[]): unknown {
  return path.reduce<unknown>(
    (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
    obj,
  );
}

/** `${{ github.event.a.b }}`, `${{ github.repository }}`, `${{ inputs.x }}` as act fills them in. */
function evaluate(text: string, payload: Record<string, unknown>, eventName: string): string {
  return text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_m, expr: string) => {
    const [head, ...rest] = expr.split('.');
    if (head === 'github' && rest[0] === 'event') return String(pick(payload, rest.slice(1)) ?? '');
    if (expr === 'github.repository') return String(pick(payload, ['repository', 'full_name']) ?? '');
    if (expr === 'github.event_name') return eventName;
    if (expr === 'github.token') return '';
    return ''; // inputs.* are empty under a pull_request event
  });
}

describe('.actrc', () => {
  const actrc = readFileSync(join(ROOT, '.actrc'), 'utf8');

  it('maps every runner label the workflows use to an image (act has no default for ubuntu-24.04)', () => {
    const labels = new Set<string>();
    for (const path of listWorkflows(tree)) {
      for (const m of (tree.read(path) ?? '').matchAll(/runs-on:[ \t]*(?:\$\{\{[^}]*'([\w.-]+)'\s*\}\}|([\w.-]+))/g))
        labels.add(m[1] ?? m[2] ?? '');
    }
    expect([...labels]).toContain('ubuntu-24.04');
    for (const label of labels) expect(actrc).toMatch(new RegExp(`^-P ${label.replace(/\./g, '\\.')}=\\S+`, 'm'));
  });

  it('names event, secret and variable files that exist and parse', () => {
    const files = [...actrc.matchAll(/^--(?:eventpath|secret-file|var-file) (\S+)/gm)].map((m) => m[1] ?? '');
    expect(files).toHaveLength(3);
    for (const file of files) expect(tree.read(file)).toBeDefined();
    for (const line of (tree.read('.github/act/secrets.example') ?? '').split('\n')) {
      expect(line === '' || line.startsWith('#') || /^[A-Z_]+=/.test(line)).toBe(true);
    }
  });
});

describe('event payload fixtures', () => {
  it('are valid GitHub webhook payloads (@octokit/webhooks-schemas) and what scripts/act-events.ts builds', () => {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema(webhookSchema as object, 'webhooks');
    const cases: [string, string][] = [
      ['push-data.json', 'push$event'],
      ['pull-request.json', 'pull_request$synchronize'],
      ['pull-request-fork.json', 'pull_request$opened'],
    ];
    const built = buildActEvents();
    for (const [file, definition] of cases) {
      const validate = ajv.getSchema(`webhooks#/definitions/${definition}`);
      expect(validate).toBeDefined();
      const payload = event(file);
      const valid = validate!(payload);
      expect({ file, errors: valid ? [] : validate!.errors?.slice(0, 3) }).toEqual({ file, errors: [] });
      expect(payload).toEqual(JSON.parse(JSON.stringify(built[file as keyof typeof built])));
    }
  }, 90_000);

  const fieldsRead = (path: string) =>
    [...(tree.read(path) ?? '').matchAll(/github\.event\.([\w.]+)/g)]
      .map((m) => (m[1] ?? '').split('.'))
      .filter((p) => p[0] !== 'inputs');

  it('carry every github.event field train.yml reads (pull_request)', () => {
    const payload = event('pull-request.json');
    const read = fieldsRead('.github/workflows/train.yml');
    expect(read.length).toBeGreaterThan(2);
    for (const path of read)
      expect({ path: path.join('.'), value: pick(payload, path) }).toEqual({
        path: path.join('.'),
        value: expect.anything(),
      });
  });

  it('are a push to a data/ branch and a PR whose head is that push', () => {
    const push = event('push-data.json');
    const pr = event('pull-request.json');
    expect(push.ref).toMatch(/^refs\/heads\/data\//);
    expect(pick(pr, ['pull_request', 'head', 'sha'])).toBe(push.after);
    expect(`refs/heads/${String(pick(pr, ['pull_request', 'head', 'ref']))}`).toBe(push.ref);
    expect(pick(event('pull-request-fork.json'), ['pull_request', 'head', 'repo', 'fork'])).toBe(true);
  });

  it('carry every github.event field a push-triggered workflow reads', () => {
    const payload = event('push-data.json');
    for (const path of listWorkflows(tree)) {
      const workflow = readWorkflow(tree, path);
      if (!workflow?.triggers.includes('push')) continue;
      for (const field of fieldsRead(path))
        expect({ path, field: field.join('.'), value: pick(payload, field) }).toEqual({
          path,
          field: field.join('.'),
          value: expect.anything(),
        });
    }
  });
});

describe("train.yml's admit step under the fixtures", () => {
  const admit = readWorkflow(tree, '.github/workflows/train.yml')?.jobs.find((j) => j.id === 'admit')?.steps[0];

  function runAdmit(fixture: string) {
    const payload = event(fixture);
    const dir = mkdtempSync(join(tmpdir(), 'wms-admit-'));
    try {
      const output = join(dir, 'output');
      writeFileSync(output, '');
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        GITHUB_OUTPUT: output,
        GITHUB_SHA: 'merge-commit-sha',
      };
      const step = readWorkflow(tree, '.github/workflows/train.yml')!.file.text;
      const envBlock = /- id: target\n\s+env:\n([\s\S]*?)\n\s+run: \|/.exec(step)?.[1] ?? '';
      for (const m of envBlock.matchAll(/^\s+([A-Z_]+): (.+)$/gm))
        env[m[1] ?? ''] = evaluate(m[2] ?? '', payload, 'pull_request');
      const r = spawnSync('bash', ['-e', '-c', admit?.run ?? 'exit 99'], { env, encoding: 'utf8' });
      return { status: r.status, stdout: r.stdout, output: readFileSync(output, 'utf8') };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('trains the PR head, not the merge commit', () => {
    const r = runAdmit('pull-request.json');
    expect(r.status).toBe(0);
    expect(r.output).toContain('pr-number=7\n');
    expect(r.output).toContain('head-sha=4f2d1e0c9b8a7f6e5d4c3b2a1908f7e6d5c4b3a2\n');
  });

  it('refuses a fork with one error that says what to do', () => {
    const r = runAdmit('pull-request-fork.json');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /^::error title=Pull request from a fork::someone\/wms-pipeline is a fork .* push the branch to a data\/\* branch/m,
    );
    expect(r.output).toBe('');
  });
});

describe('act copies of the workflows (pnpm act:workflows)', () => {
  it('turn every $/ into a ./ path act resolves in this checkout, and those paths exist', () => {
    const files: Record<string, string> = {};
    for (const path of listWorkflows(tree))
      files[path.replace('.github/workflows', ACT_WORKFLOWS_DIR)] = toActWorkflow(tree.read(path) ?? '');
    // The act copies plus this repository's actions, as act's workspace would hold them.
    const actTree = memoryTree(new Proxy(files, { get: (t, p: string) => t[p] ?? tree.read(p) }), 'act workspace');
    for (const [path, text] of Object.entries(files)) {
      expect(text).not.toMatch(/uses:\s*['"]?\$\//);
      const findings = checkWorkflow(loadWorkflow(path, text), actTree, { requirePins: true }).filter(
        (f) => f.rule !== 'self-reference',
      );
      expect({ path, findings }).toEqual({ path, findings: [] });
    }
  });

  it('point called workflows at their act copies', () => {
    expect(toActWorkflow('    uses: $/.github/workflows/ec2-control.yml\n      - uses: $/actions/train\n')).toContain(
      `uses: ./${ACT_WORKFLOWS_DIR}/ec2-control.yml\n      - uses: ./actions/train\n`,
    );
  });
});

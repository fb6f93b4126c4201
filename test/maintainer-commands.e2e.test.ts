/**
 * The maintainer commands of docs/WORKFLOWS.md ("Running locally like GitHub does"):
 * `pnpm action <name>` runs the committed bundle through the runner harness, and
 * scripts/local-action-entry.ts gives @github/local-action the exported run() it needs — the
 * action runs when run() is called, not on import, and its exit becomes run()'s end.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyDataset } from '@wms/test-support';

const ROOT = join(__dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

describe('maintainer commands', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wms-maintainer-'));
    await writeTinyDataset(join(dir, 'data'), 4);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('pnpm action data-qa runs the committed bundle with inputs from a file and prints its outputs', () => {
    writeFileSync(join(dir, 'inputs.env'), '# data-qa inputs\ndataset-dir=data\nreport-dir=report-a\n');
    const r = spawnSync(
      TSX,
      [join(ROOT, 'scripts/run-action.ts'), 'data-qa', '--inputs', join(dir, 'inputs.env'), '--workspace', dir],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 170_000,
      },
    );
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('── data-qa on node24: exit 0');
    expect(r.stdout).toContain('output valid=true');
    expect(r.stdout).toContain('output pairs=4');
    expect(JSON.parse(readFileSync(join(dir, 'report-a', 'qa-report.json'), 'utf8'))).toMatchObject({
      schemaVersion: 1,
    });
  }, 180_000);

  it('pnpm action refuses an unknown option with what it got', () => {
    const r = spawnSync(TSX, [join(ROOT, 'scripts/run-action.ts'), 'data-qa', '--inptus', 'x'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown option --inptus x');
  });

  it('the local-action entry exports run(), does nothing on import, and resolves with the exit code', () => {
    // Set inside the process, as local-action does from its .env file (tsx's launcher drops
    // environment names with '-', which the runner's INPUT_DATASET-DIR has).
    const inputs = { 'INPUT_DATASET-DIR': join(dir, 'data'), 'INPUT_REPORT-DIR': join(dir, 'report-b') };
    const script = [
      `Object.assign(process.env, ${JSON.stringify(inputs)});`,
      "const entry = require('./scripts/local-action-entry.ts');",
      "console.log('imported', typeof entry.run, require('node:fs').existsSync(process.env['INPUT_REPORT-DIR']));",
      "entry.run().then(() => console.log('resolved exitCode=' + process.exitCode));",
    ].join('\n');
    writeFileSync(join(dir, 'github_output'), '');
    const r = spawnSync(TSX, ['-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, WMS_ACTION: 'data-qa', GITHUB_WORKSPACE: dir, GITHUB_OUTPUT: join(dir, 'github_output') },
    });
    expect(r.stdout).toContain('imported function false');
    expect(r.stdout).toContain('resolved exitCode=0');
    expect(readFileSync(join(dir, 'github_output'), 'utf8')).toMatch(/^valid<<.*\ntrue\n/m);
  }, 120_000);
});

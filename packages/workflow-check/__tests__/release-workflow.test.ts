/**
 * release.yml's shell steps, run with bash against a temporary repository: the version/changelog
 * gate refuses what it should, and the release notes are exactly the released version's section.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWorkflow, workingTree } from '@wms/workflow-check';

const ROOT = join(__dirname, '..', '..', '..');
const release = readWorkflow(workingTree(ROOT), '.github/workflows/release.yml')!;
const stepRun = (job: string, name: string) => {
  const step = release.jobs
    .find((j) => j.id === job)
    ?.steps.find((s) => s.scalars.some((x) => x.key === 'name' && x.text === name));
  if (!step?.run) throw new Error(`release.yml: no run step '${name}' in job '${job}'`);
  return step.run;
};

const CHANGELOG = `# Changelog

## [Unreleased]

- next

## [1.1.0]

### Added

- the thing

## [1.0.0]

- first
`;

describe('release.yml', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wms-release-'));
    const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { stdio: 'ignore' });
    git('init', '-q');
    writeFileSync(join(dir, 'CHANGELOG.md'), CHANGELOG);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '1.1.0' }));
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-q', '-m', 'init');
    git('remote', 'add', 'origin', dir); // ls-remote against itself: no tags yet
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const gate = (version: string, ref = 'refs/heads/main') =>
    spawnSync('bash', ['-e', '-c', stepRun('verify', 'Version, branch and changelog')], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, VERSION: version, REF: ref },
    });

  it('passes a version that package.json and CHANGELOG.md both have, from main', () => {
    const r = gate('1.1.0');
    expect(r.stdout).not.toContain('::error');
    expect(r.status).toBe(0);
  });

  it.each([
    ['v1.1.0', 'refs/heads/main', "version 'v1.1.0' is not X.Y.Z"],
    ['1.1.0', 'refs/heads/feature', 'releases are made from main'],
    ['1.2.0', 'refs/heads/main', 'version is 1.1.0, not 1.2.0'],
  ])('refuses %s from %s: %s', (version, ref, message) => {
    const r = gate(version, ref);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(message);
  });

  it('refuses a version without its CHANGELOG section, and one already tagged', () => {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '1.0.1' }));
    expect(gate('1.0.1').stdout).toContain("no '## [1.0.1]' section");
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '1.0.0' }));
    execFileSync('git', ['-C', dir, 'tag', 'v1.0.0']);
    expect(gate('1.0.0').stdout).toContain('tag v1.0.0 exists already');
  });

  it('publishes exactly the released section as the notes', () => {
    const script = stepRun('release', 'GitHub release').replace(/\n\s*gh release create[^\n]*/, '');
    const r = spawnSync('bash', ['-e', '-c', script], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, VERSION: '1.1.0', RUNNER_TEMP: dir },
    });
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'notes.md'), 'utf8')).toBe('\n### Added\n\n- the thing\n\n');
  });
});

/**
 * Real git repositories for the data-versioning tests (storage, pipeline, CLI): a bare remote
 * and clones of it in a temp folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export interface GitWorld {
  root: string;
  remote: string;
  /** A new clone of the remote's main with a committer identity. */
  clone(name: string): string;
}

/** A bare remote whose main has WMS/data/training/.gitignore (raw files are never committed). */
export function makeGitWorld(prefix = 'wms-data-'): GitWorld {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const remote = join(root, 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
  const seed = join(root, 'seed');
  execFileSync('git', ['init', '-q', '-b', 'main', seed]);
  configure(seed);
  mkdirSync(join(seed, 'WMS/data/training'), { recursive: true });
  writeFileSync(join(seed, 'WMS/data/training/.gitignore'), '/images\n/masks\n');
  writeFileSync(join(seed, '.gitignore'), '.wms/\n');
  git(seed, 'add', '.');
  git(seed, 'commit', '-q', '-m', 'init');
  git(seed, 'remote', 'add', 'origin', remote);
  git(seed, 'push', '-q', 'origin', 'main');
  return {
    root,
    remote,
    clone(name) {
      const dir = join(root, name);
      execFileSync('git', ['clone', '-q', remote, dir], { stdio: 'ignore' });
      configure(dir);
      return dir;
    },
  };
}

function configure(dir: string): void {
  git(dir, 'config', 'user.email', 'tester@example.com');
  git(dir, 'config', 'user.name', 'Tester');
}

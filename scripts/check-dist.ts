/**
 * `pnpm check-dist`: the committed dist/ of every action must equal a fresh build (stale bundles
 * have shipped broken releases elsewhere). Snapshots each dist/, deletes it, rebuilds, and fails
 * listing every file that was added, removed or changed. Also fails when git still sees dist/
 * as modified or untracked, i.e. the rebuilt bundle was never committed.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundleAction, listActionDirs, listFiles, REPO_ROOT } from './lib/bundle-action';

type Snapshot = Map<string, string>;

function snapshot(dir: string): Snapshot {
  return new Map(
    listFiles(dir).map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex'),
    ]),
  );
}

/** Human-readable differences between the committed and rebuilt dist/ of one action. */
export function diffSnapshots(before: Snapshot, after: Snapshot): string[] {
  const lines: string[] = [];
  for (const [file, hash] of after) {
    if (!before.has(file)) lines.push(`added    ${file} (the committed dist/ lacks it)`);
    else if (before.get(file) !== hash) lines.push(`changed  ${file}`);
  }
  for (const file of before.keys()) if (!after.has(file)) lines.push(`removed  ${file} (no longer built)`);
  return lines.sort((a, b) => a.slice(9).localeCompare(b.slice(9)));
}

function gitDirtyPaths(paths: string[]): string[] {
  try {
    const out = execFileSync('git', ['status', '--porcelain', '--untracked-files=all', '--', ...paths], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    return out.split('\n').filter(Boolean);
  } catch {
    return []; // not a git checkout (e.g. a source tarball): the byte comparison still holds
  }
}

async function main(): Promise<void> {
  let stale = 0;
  const dists: string[] = [];
  for (const dir of listActionDirs()) {
    const dist = join(dir, 'dist');
    dists.push(relative(REPO_ROOT, dist));
    const before = snapshot(dist);
    await bundleAction(dir);
    const differences = diffSnapshots(before, snapshot(dist));
    const name = relative(REPO_ROOT, dir);
    if (differences.length === 0) {
      process.stdout.write(`${name}/dist is up to date (${before.size} files)\n`);
      continue;
    }
    stale++;
    process.stdout.write(`${name}/dist differs from a fresh build:\n${differences.map((d) => `  ${d}`).join('\n')}\n`);
  }
  const dirty = gitDirtyPaths(dists);
  if (dirty.length > 0) {
    process.stdout.write(`git sees uncommitted bundle files:\n${dirty.map((d) => `  ${d}`).join('\n')}\n`);
  }
  if (stale > 0 || dirty.length > 0) {
    process.stderr.write('check-dist failed: run `pnpm build` and commit actions/*/dist.\n');
    process.exitCode = 1;
    return;
  }
  process.stdout.write('check-dist: every dist/ matches a fresh build\n');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`check-dist crashed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}

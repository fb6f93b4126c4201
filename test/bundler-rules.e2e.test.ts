/**
 * The bundler's rules that are not visible in a single run: which files become side entries,
 * and how check-dist reports a stale dist/. (The bundles themselves are exercised by the other
 * e2e tests; these are fast.)
 */
import { diffSnapshots } from '../scripts/check-dist';
import { findSideEntries, REPO_ROOT } from '../scripts/lib/bundle-action';
import { join } from 'node:path';

describe('findSideEntries', () => {
  it('emits a sibling X.ts that a bundled file names as X.js', () => {
    const entries = findSideEntries([
      'packages/tfjs-runtime/src/data-parallel/worker-launcher.ts',
      'packages/model/src/step-runner.ts',
    ]);
    expect(entries).toEqual([
      join(REPO_ROOT, 'packages/model/src/replica-loss.ts'),
      join(REPO_ROOT, 'packages/tfjs-runtime/src/data-parallel/data-parallel-worker.ts'),
    ]);
  });

  it('skips names the bundle tree-shook away (the gate bundles the model package but never trains)', () => {
    const inputs = ['packages/tfjs-runtime/src/data-parallel/worker-launcher.ts', 'packages/model/src/step-runner.ts'];
    expect(findSideEntries(inputs, 'const file = "index.js";')).toEqual([]);
    expect(findSideEntries(inputs, 'const worker = "data-parallel-worker.js";')).toEqual([
      join(REPO_ROOT, 'packages/tfjs-runtime/src/data-parallel/data-parallel-worker.ts'),
    ]);
  });

  it('never treats index.js or names without a .ts sibling as side entries', () => {
    // native-resolver.ts names 'index.js' (and packages/runtime/src/index.ts exists); the tfjs-node
    // loader names 'noop.js', which has no source.
    expect(
      findSideEntries(['packages/runtime/src/native-resolver.ts', 'packages/tfjs-runtime/src/tfjs-node-loader.ts']),
    ).toEqual([]);
  });
});

describe('diffSnapshots (check-dist report)', () => {
  it('lists added, removed and changed files in path order', () => {
    const committed = new Map([
      ['index.js', 'a'],
      ['old-worker.js', 'b'],
      ['native-modules.json', 'c'],
    ]);
    const rebuilt = new Map([
      ['index.js', 'A'],
      ['native-modules.json', 'c'],
      ['data-parallel-worker.js', 'd'],
    ]);
    expect(diffSnapshots(committed, rebuilt)).toEqual([
      'added    data-parallel-worker.js (the committed dist/ lacks it)',
      'changed  index.js',
      'removed  old-worker.js (no longer built)',
    ]);
  });

  it('reports nothing for identical snapshots', () => {
    const same = new Map([['index.js', 'a']]);
    expect(diffSnapshots(same, new Map(same))).toEqual([]);
  });
});

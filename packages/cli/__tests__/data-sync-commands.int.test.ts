/** `wms data push|pull|status` driven in-process on a real git repository with the embedded store. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createMemoryLogger, noProgress } from '@wms/core';
import { makeGitWorld, writeTinyDataset } from '@wms/test-support';
import { buildProgram } from '../src/program';
import type { CliContext } from '../src/cli-options';

const DATA = 'WMS/data/training';

function cli(cwd: string) {
  const printed: string[] = [];
  const logger = createMemoryLogger();
  const ctx: CliContext = { logger, progress: () => noProgress, env: {}, cwd, print: (m) => void printed.push(m) };
  const run = (...args: string[]) => buildProgram(ctx).parseAsync(['node', 'wms', ...args]);
  return { printed, logger, run };
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('wms data', () => {
  const world = makeGitWorld('wms-cli-data-');
  const { root } = world;
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('push, then status and pull from the data branch in another clone', async () => {
    const { remote } = world;
    const repo = world.clone('work');
    await writeTinyDataset(join(repo, DATA), 2, 3);

    const writer = cli(repo);
    await writer.run('data', 'status', '--json');
    expect(JSON.parse(writer.printed.at(-1)!).folders.map((f: { added: string[] }) => f.added.length)).toEqual([2, 2]);
    // A remote outside the work tree, so the reader's clone can use it too.
    await writer.run('data', 'push', '--remote-url', join(root, 'store'));
    const message = writer.logger.messages('info').join('\n');
    const branch = /branch (data\/\S+) and pushed/.exec(message)?.[1];
    expect(branch).toBeDefined();
    await writer.run('data', 'status', '--offline', '--json', '--remote-url', join(root, 'store'));
    expect(JSON.parse(writer.printed.at(-1)!).clean).toBe(true);

    const reader = join(root, 'reader');
    execFileSync('git', ['clone', '-q', '--branch', branch!, remote, reader], { stdio: 'ignore' });
    const r = cli(reader);
    await r.run('data', 'status', '--remote-url', join(root, 'store'));
    expect(r.printed.at(-1)).toContain('| images | 0 | 0 | 2 | 0 |');
    await r.run('data', 'pull', '--remote-url', join(root, 'store'));
    for (const name of ['images/tiny_000.png', 'masks/tiny_001.png']) {
      expect(readFileSync(join(reader, DATA, name)).equals(readFileSync(join(repo, DATA, name)))).toBe(true);
    }
    expect(r.logger.messages('info').join('\n')).toContain('Pulled 4 file(s)');
    expect(existsSync(join(reader, DATA, 'images.dvc'))).toBe(true);
  }, 60_000);
});

/** `wms data push|pull|status` driven in-process on a real git repository with the embedded store. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, noProgress } from '@wms/core';
import { writeTinyDataset } from '@wms/test-support';
import { buildProgram } from '../src/program';
import type { CliContext } from '../src/cli-options';

const DATA = 'WMS/data/training';
const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

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
  const root = mkdtempSync(join(tmpdir(), 'wms-cli-data-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('push, then status and pull from the data branch in another clone', async () => {
    const remote = join(root, 'remote.git');
    const repo = join(root, 'work');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);
    git(repo, 'config', 'user.email', 't@example.com');
    git(repo, 'config', 'user.name', 't');
    mkdirSync(join(repo, DATA), { recursive: true });
    writeFileSync(join(repo, DATA, '.gitignore'), '/images\n/masks\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'init');
    git(repo, 'remote', 'add', 'origin', remote);
    git(repo, 'push', '-q', 'origin', 'main');
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

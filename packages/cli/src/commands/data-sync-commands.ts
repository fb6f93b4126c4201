/**
 * `wms data push|pull|status` (data versioning against the object store and the git remote) and
 * `wms hooks install` (the pre-push hook that runs `wms data push --hook`).
 */
import type { Command } from 'commander';
import { mdTable } from '@wms/core';
import { runDataPullStage } from '@wms/pipeline/data-pull-stage';
import { runDataPushStage } from '@wms/pipeline/data-push-stage';
import {
  DEFAULT_DATA_DIR,
  DEFAULT_OUTS,
  dataStatus,
  installPrePushHook,
  openStore,
  parsePrePushInput,
  protectedUpdate,
  quoteCommand,
  repositoryRoot,
  resolveRemote,
  type DataLayout,
} from '@wms/storage';
import { integerOption, type CliContext } from '../cli-options';

interface LayoutFlags {
  dataDir: string;
  imagesDir: string;
  masksDir: string;
  gitRemote: string;
  remoteUrl?: string;
}

interface PushFlags extends LayoutFlags {
  replace?: boolean;
  hook?: boolean;
  protect: string[];
}

function addLayoutOptions(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'folder holding the tracked folders, relative to the repository', DEFAULT_DATA_DIR)
    .option('--images-dir <name>', 'tracked images folder inside --data-dir', DEFAULT_OUTS[0])
    .option('--masks-dir <name>', 'tracked masks folder inside --data-dir', DEFAULT_OUTS[1])
    .option('--git-remote <name>', 'git remote that holds the data branches and the data version', 'origin')
    .option(
      '--remote-url <url>',
      's3://bucket/prefix or a folder (default: WMS_DATA_REMOTE, .dvc/config, .wms/data-remote)',
    );
}

async function layoutOf(o: LayoutFlags, ctx: CliContext): Promise<DataLayout> {
  return { repoDir: await repositoryRoot(ctx.cwd), dataDir: o.dataDir, outs: [o.imagesDir, o.masksDir] };
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

async function push(remoteArg: string | undefined, o: PushFlags, ctx: CliContext): Promise<void> {
  let baseCommit: string | undefined;
  let blockedBranch: string | undefined;
  let gitRemote = o.gitRemote;
  if (o.hook) {
    // git runs the hook as `pre-push <remote name> <remote url>` with one line per ref on stdin.
    const update = protectedUpdate(parsePrePushInput(await readStdin()), o.protect);
    if (!update) return;
    baseCommit = update.localSha;
    blockedBranch = update.remoteRef.replace(/^refs\/heads\//, '');
    gitRemote = remoteArg ?? gitRemote;
  }
  const result = await runDataPushStage(
    {
      cwd: ctx.cwd,
      dataDir: o.dataDir,
      imagesDir: o.imagesDir,
      masksDir: o.masksDir,
      gitRemote,
      remoteUrl: o.remoteUrl,
      replace: o.replace,
      baseCommit,
      blockedBranch,
      env: ctx.env,
    },
    { logger: ctx.logger, progress: ctx.progress },
  );
  ctx.logger.info(result.message);
  // The hook's non-zero exit is what stops git from pushing to the protected branch.
  if (o.hook && result.push.status === 'pushed') process.exitCode = 1;
}

export function registerDataSyncCommands(program: Command, ctx: CliContext): void {
  const data = program
    .command('data')
    .description('Version training data: DVC-compatible objects in S3, pointer files in git.');

  addLayoutOptions(
    data
      .command('push')
      .description(
        'Upload new files (after data-qa), merge the manifest, commit the pointers on a data/YYYYMMDD-HHMMSS branch.',
      )
      .argument('[remote]', 'with --hook: the git remote git is pushing to')
      .argument('[url]', 'with --hook: its URL (unused)'),
  )
    .option('--replace', 'replace versioned files whose content changed (otherwise refused)')
    .option(
      '--hook',
      'run as the pre-push hook: read git’s ref list on stdin, act only on pushes to protected branches',
    )
    .option('--protect <branch...>', 'with --hook: branches whose pushes are stopped when there is new data', ['main'])
    .action(async (remote: string | undefined, _url: string | undefined, o: PushFlags) => push(remote, o, ctx));

  addLayoutOptions(
    data.command('pull').description('Download the data version named by the pointer files, verifying every MD5.'),
  )
    .option('--latest', 'pull the remote’s newest data version instead of the checked-out pointers')
    .option('--force', 'overwrite local files whose content differs from the version')
    .option('--jobs <n>', 'objects downloaded at once', integerOption('--jobs', 1, 64), 8)
    .action(async (o: LayoutFlags & { latest?: boolean; force?: boolean; jobs: number }) => {
      const result = await runDataPullStage(
        {
          cwd: ctx.cwd,
          dataDir: o.dataDir,
          imagesDir: o.imagesDir,
          masksDir: o.masksDir,
          remoteUrl: o.remoteUrl,
          latest: o.latest,
          gitRemote: o.gitRemote,
          force: o.force,
          jobs: o.jobs,
          env: ctx.env,
        },
        { logger: ctx.logger, progress: ctx.progress },
      );
      if (result.files > 0) ctx.logger.info(result.message);
    });

  addLayoutOptions(data.command('status').description('Show new, changed and missing files against the data version.'))
    .option('--offline', 'no git fetch: compare with the pointers and the data version fetched last time')
    .option('--json', 'print JSON')
    .action(async (o: LayoutFlags & { offline?: boolean; json?: boolean }) => {
      const layout = await layoutOf(o, ctx);
      const store = openStore(resolveRemote(layout.repoDir, o.remoteUrl, ctx.env), layout.repoDir);
      try {
        const status = await dataStatus(
          { layout, remote: o.gitRemote, offline: o.offline },
          { store, progress: ctx.progress },
        );
        if (o.json) {
          ctx.print(JSON.stringify(status, null, 2));
          return;
        }
        const rows = status.folders.map((f) => [
          f.out,
          f.added.length,
          f.changed.length,
          f.missing.length,
          f.onlyInLatest,
        ]);
        const details = status.folders.flatMap((f) => [
          ...f.added.slice(0, 20).map((p) => `- new: ${f.out}/${p}`),
          ...f.changed.slice(0, 20).map((p) => `- changed: ${f.out}/${p} (push with --replace to replace it)`),
          ...f.missing.slice(0, 20).map((p) => `- missing: ${f.out}/${p} (run wms data pull)`),
        ]);
        ctx.print(
          [
            '## Data status',
            '',
            mdTable(['Folder', 'New', 'Changed', 'Missing locally', 'Only in the newest version'], rows),
            '',
            status.comparedWithLatest ? '' : '_The remote’s newest data version was not consulted._',
            ...details,
          ].join('\n'),
        );
      } finally {
        store.close();
      }
    });

  const hooks = program.command('hooks').description('Git hooks of this repository.');
  hooks
    .command('install')
    .description('Install the pre-push hook (this repository only; no global git config is changed).')
    .option('--command <shell>', 'how the hook runs wms (default: the command running now)')
    .action(async (o: { command?: string }) => {
      const repoDir = await repositoryRoot(ctx.cwd);
      const commandLine = o.command ?? quoteCommand([process.execPath, ...process.execArgv, process.argv[1]!]);
      const result = await installPrePushHook(repoDir, commandLine);
      ctx.logger.info(
        `${result.updated ? 'Updated' : 'Installed'} ${result.path} (runs: ${commandLine} data push --hook).`,
      );
      if (result.chained) ctx.logger.info(`The hook that was there runs first, from ${result.chained}.`);
    });
}

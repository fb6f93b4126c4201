/**
 * The data-push stage: what `wms data push` and the pre-push hook run (and, later, the local
 * pipeline). New files are checked by data-qa (validateDataset on a staging folder of hard links
 * holding each new file with its partner) before anything is uploaded; then packages/storage
 * versions them. Returns the person-facing message and a job-summary block.
 */
import { link, copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { mdTable, type Logger, type ProgressFactory } from '@wms/core';
import { describeQaFailure, discoverPairs, validateDataset, type QaReport } from '@wms/dataset';
import {
  DEFAULT_DATA_DIR,
  DEFAULT_OUTS,
  formatBytes,
  openStore,
  pushData,
  repositoryRoot,
  resolveRemote,
  runGit,
  type DataLayout,
  type DataQaVerdict,
  type NewDataFile,
  type ObjectStore,
  type PushResult,
} from '@wms/storage';

export interface DataPushStageOptions {
  /** Any folder inside the repository; default the current directory. */
  cwd: string;
  dataDir?: string;
  imagesDir?: string;
  masksDir?: string;
  /** Git remote (name or URL) that gets the data branch and the data version ref. */
  gitRemote?: string;
  /** Object store URL (s3://bucket/prefix or a folder); default from WMS_DATA_REMOTE / .dvc/config. */
  remoteUrl?: string;
  replace?: boolean;
  /** The commit the data branch starts from (the hook passes the commit being pushed). */
  baseCommit?: string;
  /** The branch whose push this stage stopped, for the message (the hook passes it). */
  blockedBranch?: string;
  env?: NodeJS.ProcessEnv;
}

export interface DataPushStageResult {
  push: PushResult;
  qa?: QaReport;
  /** What happened and what comes next, for the terminal. */
  message: string;
  summaryMarkdown: string;
}

export async function runDataPushStage(
  options: DataPushStageOptions,
  deps: {
    logger: Logger;
    progress?: ProgressFactory;
    /** Replaces the store named by the options (tests pass a counting or failing store). */
    store?: ObjectStore;
    beforeHeadUpdate?: (attempt: number) => Promise<void>;
  },
): Promise<DataPushStageResult> {
  const repoDir = await repositoryRoot(options.cwd);
  const layout: DataLayout = {
    repoDir,
    dataDir: options.dataDir ?? DEFAULT_DATA_DIR,
    outs: [options.imagesDir ?? DEFAULT_OUTS[0]!, options.masksDir ?? DEFAULT_OUTS[1]!],
  };
  const remote = resolveRemote(repoDir, options.remoteUrl, options.env ?? process.env);
  if (!deps.store && remote.source === 'embedded default') {
    deps.logger.warning(
      `No data remote configured: objects go to ${remote.url}, which only this machine can read. Set WMS_DATA_REMOTE or a default remote in .dvc/config (s3://bucket/prefix) so CI and teammates can pull.`,
    );
  }
  const store = deps.store ?? openStore(remote, repoDir);
  let qa: QaReport | undefined;
  try {
    const push = await pushData(
      { layout, remote: options.gitRemote ?? 'origin', replace: options.replace, baseCommit: options.baseCommit },
      {
        store,
        logger: deps.logger,
        progress: deps.progress,
        beforeHeadUpdate: deps.beforeHeadUpdate,
        validateNew: async (files) => {
          qa = await validateNewFiles(layout, files, deps);
          return verdictOf(qa);
        },
      },
    );
    return {
      push,
      qa,
      message: describePush(push, options.blockedBranch),
      summaryMarkdown: renderPushSummary(push, qa),
    };
  } finally {
    if (!deps.store) store.close();
  }
}

/** data-qa on the new files and their partners, linked into a staging dataset so nothing else is read. */
export async function validateNewFiles(
  layout: DataLayout,
  files: NewDataFile[],
  deps: { logger: Logger; progress?: ProgressFactory },
): Promise<QaReport> {
  const [imagesOut, masksOut] = layout.outs as [string, string];
  const root = join(layout.repoDir, layout.dataDir);
  const wanted = new Set(files.map((f) => resolve(f.path)));
  const { pairs } = await discoverPairs({ root, imagesDir: imagesOut, masksDir: masksOut });
  for (const pair of pairs) {
    if (wanted.has(resolve(pair.image)) || wanted.has(resolve(pair.mask))) {
      wanted.add(resolve(pair.image));
      wanted.add(resolve(pair.mask));
    }
  }
  const gitDir = (await runGit(layout.repoDir, ['rev-parse', '--absolute-git-dir'])).stdout.trim();
  await mkdir(join(gitDir, 'wms'), { recursive: true });
  const staging = await mkdtemp(join(gitDir, 'wms', 'qa-staging-'));
  try {
    for (const path of wanted) {
      const target = join(staging, relative(root, path));
      await mkdir(dirname(target), { recursive: true });
      await link(path, target).catch(() => copyFile(path, target));
    }
    const progress = deps.progress?.();
    const report = await validateDataset(
      { root: staging, imagesDir: imagesOut, masksDir: masksOut, annotationBase: staging },
      { logger: deps.logger, progress },
    );
    progress?.stop();
    // Point the report at the real files, not the staging copies.
    return JSON.parse(
      JSON.stringify(report)
        .split(staging + sep)
        .join(root + sep)
        .split(staging)
        .join(root),
    ) as QaReport;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function verdictOf(report: QaReport): DataQaVerdict {
  if (report.valid) return { valid: true, message: '' };
  const lines = report.problems
    .filter((p) => p.severity === 'error')
    .slice(0, 10)
    .map((p) => `  ${p.files.map((f) => basename(f)).join(', ')}: ${p.message}`);
  return { valid: false, message: `${describeQaFailure(report)}\n${lines.join('\n')}` };
}

export function describePush(push: PushResult, blockedBranch: string | undefined): string {
  if (push.status === 'up-to-date') {
    return 'wms data: no new training data; every local file is already in a data version.';
  }
  const added = push.folders
    .map((f) => `${f.out} +${f.added}${f.replaced ? ` (${f.replaced} replaced)` : ''}`)
    .join(', ');
  const lines = [
    `wms data: new training data versioned (${added}).`,
    `  Uploaded ${push.uploadedObjects} object(s), ${formatBytes(push.uploadedBytes)}, to ${push.remoteLocation}; ${push.skippedObjects} were already there.`,
    `  Pointer files committed on branch ${push.branch} and pushed (data version ${push.dataCommit?.slice(0, 12)}).`,
  ];
  if (blockedBranch) {
    lines.push(
      `  The push to ${blockedBranch} was stopped on purpose: training data reaches ${blockedBranch} through a pull request.`,
      `  Next: the training-data workflow runs data-qa on ${push.branch} and opens the pull request; once it is merged,`,
      `  run \`git pull\` and push again (or \`git push --no-verify\` to push code without the data).`,
    );
  }
  return lines.join('\n');
}

export function renderPushSummary(push: PushResult, qa: QaReport | undefined): string {
  const rows = push.folders.map((f) => [
    f.out,
    String(f.added),
    String(f.replaced),
    String(f.nfiles),
    formatBytes(f.size),
    f.oid ?? '—',
  ]);
  return [
    '## Data push',
    '',
    push.status === 'up-to-date'
      ? 'No new files: every local file is already versioned.'
      : `Branch \`${push.branch}\`, data version \`${push.dataCommit?.slice(0, 12)}\`; ${push.uploadedObjects} object(s) (${formatBytes(push.uploadedBytes)}) uploaded to \`${push.remoteLocation}\`, ${push.skippedObjects} already there.`,
    '',
    mdTable(['Folder', 'Added', 'Replaced', 'Files', 'Size', '.dir object'], rows),
    '',
    qa
      ? `data-qa on the new files: ${qa.valid ? 'passed' : 'failed'} (${qa.counts.validPairs}/${qa.counts.candidatePairs} pairs usable).`
      : '',
  ].join('\n');
}

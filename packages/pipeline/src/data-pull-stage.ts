/**
 * The data-pull stage: what the data-pull action and `wms data pull` run. Materialises the
 * tracked folders (default WMS/data/training/{images,masks}) from their committed pointer files
 * (images.dvc / masks.dvc) through packages/storage, which verifies every object's MD5 before it
 * lands. A data folder without any pointer file is a dataset committed as it is: nothing to pull,
 * files = 0 and a message saying so, not a failure.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError, mdTable, type Logger, type ProgressFactory } from '@wms/core';
import {
  DEFAULT_DATA_DIR,
  DEFAULT_OUTS,
  formatBytes,
  openStore,
  parsePointer,
  pointerPath,
  pullData,
  repositoryRoot,
  resolveRemote,
  type DataLayout,
  type DirPointer,
  type ObjectStore,
  type PullResult,
} from '@wms/storage';

export interface DataPullStageOptions {
  /** Any folder inside the repository (the workspace in an action). */
  cwd: string;
  /** Folder holding the tracked folders and their pointer files, relative to the repository. */
  dataDir?: string;
  imagesDir?: string;
  masksDir?: string;
  /** Object store URL (s3://bucket/prefix or a folder); default from WMS_DATA_REMOTE / .dvc/config. */
  remoteUrl?: string;
  /** 'latest': the git remote's newest data version instead of the checked-out pointers. */
  latest?: boolean;
  /** Git remote holding the data version ref (for latest). */
  gitRemote?: string;
  /** Overwrite local files whose content differs from the version. */
  force?: boolean;
  /** Objects downloaded at once. */
  jobs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface DataPullStageResult {
  /** Absolute path of the data folder. */
  dataDir: string;
  /** Files of the version now in place (downloaded + already up to date); 0 when nothing is versioned. */
  files: number;
  /** Total size of the version in bytes (from the pointer files). */
  bytes: number;
  downloaded: number;
  downloadedBytes: number;
  upToDate: number;
  keptLocalChanges: string[];
  /** The pulled `.dir` ids, `images=<md5>.dir,masks=<md5>.dir`; empty when nothing is versioned. */
  version: string;
  /** Where the objects came from (folder or s3:// URL); empty when nothing was pulled. */
  remote: string;
  message: string;
  summaryMarkdown: string;
}

async function readPointer(layout: DataLayout, out: string): Promise<DirPointer | undefined> {
  const path = pointerPath(layout, out);
  const text = await readFile(join(layout.repoDir, path), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parsePointer(text, path);
}

export async function runDataPullStage(
  options: DataPullStageOptions,
  deps: {
    logger: Logger;
    progress?: ProgressFactory;
    /** Replaces the store named by the options (tests pass a counting or failing store). */
    store?: ObjectStore;
  },
): Promise<DataPullStageResult> {
  const repoDir = await repositoryRoot(options.cwd);
  const layout: DataLayout = {
    repoDir,
    dataDir: (options.dataDir || DEFAULT_DATA_DIR).replace(/\\/g, '/').replace(/\/+$/, ''),
    outs: [options.imagesDir || DEFAULT_OUTS[0]!, options.masksDir || DEFAULT_OUTS[1]!],
  };
  const absDataDir = join(repoDir, layout.dataDir);
  const pointers = new Map<string, DirPointer | undefined>();
  for (const out of layout.outs) pointers.set(out, await readPointer(layout, out));

  if (!options.latest && [...pointers.values()].every((p) => p === undefined)) {
    const message = `No pointer files (${layout.outs.map((o) => pointerPath(layout, o)).join(', ')}): the dataset is not versioned through a data remote, nothing to pull.`;
    deps.logger.info(message);
    return {
      dataDir: absDataDir,
      files: 0,
      bytes: 0,
      downloaded: 0,
      downloadedBytes: 0,
      upToDate: 0,
      keptLocalChanges: [],
      version: '',
      remote: '',
      message,
      summaryMarkdown: ['## Data pull: nothing to pull', '', message].join('\n'),
    };
  }
  const absent = [...pointers].filter(([, p]) => p === undefined).map(([out]) => pointerPath(layout, out));
  if (!options.latest && absent.length > 0) {
    throw new UserError(
      `The pointer file ${absent.join(', ')} is missing while ${[...pointers]
        .filter(([, p]) => p !== undefined)
        .map(([out]) => pointerPath(layout, out))
        .join(', ')} is committed: images and masks are versioned together.`,
      { hint: 'Commit both pointer files as `wms data push` writes them (or neither, with the files themselves).' },
    );
  }

  const spec = resolveRemote(repoDir, options.remoteUrl, options.env ?? process.env);
  if (!deps.store && spec.source === 'embedded default' && !existsSync(spec.url)) {
    throw new UserError(
      `No data remote configured for ${layout.dataDir} (its pointer files name objects, but neither the remote input / --remote-url, WMS_DATA_REMOTE nor a default remote in .dvc/config is set, and there is no ${spec.url}).`,
      { hint: 'Set WMS_DATA_REMOTE (s3://bucket/prefix or a folder) or `dvc remote add -d`.' },
    );
  }
  const store = deps.store ?? openStore(spec, repoDir);
  let result: PullResult;
  try {
    result = await pullData(
      {
        layout,
        version: options.latest ? 'latest' : 'worktree',
        remote: options.gitRemote,
        force: options.force,
        concurrency: options.jobs,
      },
      { store, logger: deps.logger, progress: deps.progress },
    );
  } finally {
    if (!deps.store) store.close();
  }

  const pulled = result.folders.filter((f) => f.oid !== undefined);
  const files = result.downloaded + result.upToDate + result.keptLocalChanges.length;
  // For 'latest' the work-tree pointers may be older; the sizes of what was pulled are those of the folders pulled.
  const bytes = pulled.reduce(
    (sum, f) => sum + (pointers.get(f.out)?.oid === f.oid ? pointers.get(f.out)!.size : 0),
    0,
  );
  const version = pulled.map((f) => `${f.out}=${f.oid}`).join(',');
  const message = `Pulled ${result.downloaded} file(s) (${formatBytes(result.downloadedBytes)}) from ${store.location}; ${result.upToDate} were up to date.`;
  const rows = result.folders.map((f) => [`\`${layout.dataDir}/${f.out}\``, f.nfiles, f.oid ? `\`${f.oid}\`` : '—']);
  const summaryMarkdown = [
    `## Data pull: ✅ ${files} files in place`,
    '',
    mdTable(['Folder', 'Files', 'Version (.dir)'], rows),
    '',
    `Downloaded ${result.downloaded} file(s), ${formatBytes(result.downloadedBytes)}, from \`${store.location}\` (${spec.source}); ${result.upToDate} already up to date. Every file's MD5 was verified.`,
    ...(result.keptLocalChanges.length > 0
      ? [
          '',
          `⚠️ ${result.keptLocalChanges.length} local file(s) differ from the version and were kept (first: \`${result.keptLocalChanges[0]}\`).`,
        ]
      : []),
  ].join('\n');
  return {
    dataDir: absDataDir,
    files,
    bytes,
    downloaded: result.downloaded,
    downloadedBytes: result.downloadedBytes,
    upToDate: result.upToDate,
    keptLocalChanges: result.keptLocalChanges,
    version,
    remote: store.location,
    message,
    summaryMarkdown,
  };
}

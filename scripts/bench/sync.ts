/**
 * pnpm bench:sync [--pairs 5000] [--image-kib 24] [--mask-kib 3] [--new 2] [--concurrency 8]
 *
 * A remote that already holds N image/mask pairs; add 2 new (real, data-qa-valid) pairs and push.
 * Measured in the same run, against the same s3rver on 127.0.0.1 and the same S3 client:
 *  - this design (`runDataPushStage`: hash with the warm state, data-qa on the new pairs, HEAD +
 *    PUT only missing objects, two new .dir objects, compare-and-set of the data ref, data branch);
 *  - the seed's design: list and download the whole dataset, merge the new files, upload the
 *    merged dataset (its git push of a branch is left out, which only flatters the seed).
 * The existing pairs are random bytes of fixed size (sync never decodes them; stated in the
 * output); the 2 new pairs are generated photos and masks so data-qa really runs on them.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createMemoryLogger, mapConcurrent } from '@wms/core';
import { runDataPushStage } from '@wms/pipeline/data-push-stage';
import { S3Store, countingStore, formatBytes, pushData, type ObjectStore, type TransferCounters } from '@wms/storage';
// Straight from the files: the package index also loads jest-only helpers.
import { startS3rver } from '../../packages/test-support/src/s3rver';
import { writeTinyDataset } from '../../packages/test-support/src/tiny-dataset';
import { parseBenchFlags } from '../lib/bench-flags';

interface Flags {
  pairs: number;
  imageKib: number;
  maskKib: number;
  newPairs: number;
  concurrency: number;
}

function parseFlags(argv: string[]): Flags {
  const { int } = parseBenchFlags('bench:sync', argv);
  return {
    pairs: int('pairs', 5000, 1),
    imageKib: int('image-kib', 24, 1),
    maskKib: int('mask-kib', 3, 1),
    newPairs: int('new', 2, 1),
    concurrency: int('concurrency', 8, 1),
  };
}

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

const DATA = 'WMS/data/training';
const zero = (): TransferCounters => ({ uploadedBytes: 0, downloadedBytes: 0, requests: 0 });
const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const root = mkdtempSync(join(tmpdir(), 'wms-bench-sync-'));
  const s3 = await startS3rver({ buckets: ['bench'] });
  const store = (prefix: string): S3Store =>
    new S3Store({ bucket: 'bench', prefix, endpoint: s3.endpoint, credentials: s3.credentials });
  try {
    // A repository with a bare remote, and the existing pairs on disk (as after `wms data pull`).
    const remote = join(root, 'remote.git');
    const repo = join(root, 'work');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);
    git(repo, 'config', 'user.email', 'bench@example.com');
    git(repo, 'config', 'user.name', 'bench');
    mkdirSync(join(repo, DATA, 'images'), { recursive: true });
    mkdirSync(join(repo, DATA, 'masks'), { recursive: true });
    writeFileSync(join(repo, DATA, '.gitignore'), '/images\n/masks\n');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'init');
    git(repo, 'remote', 'add', 'origin', remote);
    git(repo, 'push', '-q', 'origin', 'main');
    const t0 = Date.now();
    for (let n = 0; n < flags.pairs; n++) {
      const id = `pair_${String(n).padStart(5, '0')}`;
      writeFileSync(join(repo, DATA, 'images', `${id}.jpg`), randomBytes(flags.imageKib * 1024));
      writeFileSync(join(repo, DATA, 'masks', `${id}.png`), randomBytes(flags.maskKib * 1024));
    }
    const datasetBytes = flags.pairs * (flags.imageKib + flags.maskKib) * 1024;
    log(
      `Setup: ${flags.pairs} pairs (${flags.imageKib} KiB image + ${flags.maskKib} KiB mask each, ${formatBytes(datasetBytes)}) written in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );

    // Setup of this design's remote: the existing pairs versioned once (they passed data-qa back then).
    const t1 = Date.now();
    const ours = store('dvc');
    await pushData(
      {
        layout: { repoDir: repo, dataDir: DATA, outs: ['images', 'masks'] },
        remote: 'origin',
        uploadConcurrency: flags.concurrency,
      },
      { store: ours, logger: createMemoryLogger(), validateNew: async () => ({ valid: true, message: '' }) },
    );
    log(`Setup: this design's remote filled in ${((Date.now() - t1) / 1000).toFixed(1)} s`);

    // Setup of the seed's remote: the same files as a plain folder.
    const t2 = Date.now();
    const seed = store('seed');
    await uploadFolder(join(repo, DATA), seed, flags.concurrency);
    log(`Setup: the seed's remote filled in ${((Date.now() - t2) / 1000).toFixed(1)} s`);

    // The new pairs: real photos and masks.
    const fresh = join(root, 'fresh');
    const pairs = await writeTinyDataset(fresh, flags.newPairs, 7);
    const newFiles: string[] = [];
    for (const pair of pairs) {
      for (const [from, folder] of [
        [pair.image, 'images'],
        [pair.mask, 'masks'],
      ] as const) {
        const target = join(repo, DATA, folder, `new_${pair.id}.png`);
        copyFileSync(from, target);
        newFiles.push(target);
      }
    }
    const newBytes = newFiles.reduce((n, f) => n + statSync(f).size, 0);

    // This design.
    const oursCounters = zero();
    const a = process.hrtime.bigint();
    const result = await runDataPushStage(
      { cwd: repo },
      { logger: createMemoryLogger(), store: countingStore(ours, oursCounters) },
    );
    const oursSeconds = Number(process.hrtime.bigint() - a) / 1e9;
    if (result.push.status !== 'pushed' || result.push.uploadedObjects !== newFiles.length) {
      throw new Error(
        `bench:sync: the push uploaded ${result.push.uploadedObjects} objects, expected ${newFiles.length}`,
      );
    }

    // The seed's design.
    const seedCounters = zero();
    const b = process.hrtime.bigint();
    await seedStylePush(countingStore(seed, seedCounters), repo, newFiles, join(root, 'seed-merge'), flags.concurrency);
    const seedSeconds = Number(process.hrtime.bigint() - b) / 1e9;

    const moved = (c: TransferCounters): number => c.uploadedBytes + c.downloadedBytes;
    const pct = (bytes: number): string => `${((100 * bytes) / datasetBytes).toFixed(3)}%`;
    const rows = [
      [
        'this design',
        formatBytes(moved(oursCounters)),
        pct(moved(oursCounters)),
        String(oursCounters.requests),
        `${oursSeconds.toFixed(2)} s`,
      ],
      [
        'seed design',
        formatBytes(moved(seedCounters)),
        pct(moved(seedCounters)),
        String(seedCounters.requests),
        `${seedSeconds.toFixed(2)} s`,
      ],
    ];
    const lines = [
      `bench:sync — remote holding ${flags.pairs} pairs (${formatBytes(datasetBytes)}; existing files are random bytes, ${flags.imageKib} KiB per image and ${flags.maskKib} KiB per mask), ${flags.newPairs} new generated pairs (${formatBytes(newBytes)}), s3rver on 127.0.0.1, S3 concurrency ${flags.concurrency}`,
      '',
      '| design | bytes moved (up + down) | of the dataset | S3 requests | wall time |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
      '',
      `this design: ${formatBytes(oursCounters.uploadedBytes)} up (${result.push.uploadedObjects} objects + 2 .dir listings), ${formatBytes(oursCounters.downloadedBytes)} down; wall time includes hashing ${2 * flags.pairs + newFiles.length} files (warm state), data-qa on the new pairs and the git pushes`,
      `ratios: ${(moved(seedCounters) / Math.max(1, moved(oursCounters))).toFixed(0)}× fewer bytes, ${(seedSeconds / oursSeconds).toFixed(1)}× faster`,
      `targets: bytes < 1% of the dataset: ${moved(oursCounters) < datasetBytes / 100 ? 'met' : 'NOT met'}; ≥ 20× faster: ${seedSeconds / oursSeconds >= 20 ? 'met' : 'NOT met'}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    ours.close();
    seed.close();
  } finally {
    await s3.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

async function listFiles(dir: string, prefix = ''): Promise<Array<{ path: string; key: string }>> {
  const out: Array<{ path: string; key: string }> = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const key = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(join(dir, entry.name), key)));
    else if (entry.isFile() && !entry.name.startsWith('.')) out.push({ path: join(dir, entry.name), key });
  }
  return out;
}

async function uploadFolder(dir: string, store: ObjectStore, concurrency: number): Promise<void> {
  const files = await listFiles(dir);
  await mapConcurrent(files, concurrency, (f) => store.putFile(f.key, f.path, statSync(f.path).size));
}

/** The seed's pre-push: download the whole dataset, merge the new files in, upload the merged dataset. */
async function seedStylePush(
  store: ObjectStore,
  repo: string,
  newFiles: string[],
  mergeDir: string,
  concurrency: number,
): Promise<void> {
  const keys: string[] = [];
  for await (const item of store.list('')) keys.push(item.key);
  await mapConcurrent(keys, concurrency, async (key) => {
    const target = join(mergeDir, ...key.split('/'));
    mkdirSync(join(target, '..'), { recursive: true });
    const body = await store.getStream(key);
    if (!body) throw new Error(`bench:sync: ${key} vanished`);
    await pipeline(body, createWriteStream(target));
  });
  for (const file of newFiles) {
    const rel = file.slice(join(repo, DATA).length + 1);
    mkdirSync(join(mergeDir, rel, '..'), { recursive: true });
    copyFileSync(file, join(mergeDir, rel));
  }
  await uploadFolder(mergeDir, store, concurrency);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:sync failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

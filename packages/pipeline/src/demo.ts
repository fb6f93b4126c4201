/**
 * `wms demo` / `pnpm demo`: the product's story on a laptop, with the same stage functions as the
 * actions. Run 1: sample data (generated when absent) → data-qa → train → gate → promote: the
 * first model ever becomes the champion. Then new pairs arrive, as a data push brings them; run 2
 * trains a candidate on the grown dataset with the same configuration, and the quality gate
 * re-scores the champion on the candidate's held-out pairs and decides. Whatever it decides is
 * shown and explained. The GitHub-only stages run on a dry-run client (nothing is sent).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fsp } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  formatNumber,
  mdHeading,
  mdTable,
  UserError,
  writeFileAtomic,
  type Logger,
  type ProgressFactory,
} from '@wms/core';
import { generateSynthDataset } from '@wms/dataset';
import type { BackendPreference } from '@wms/model';
import { runDataPushStage, type DataPushStageResult } from './data-push-stage';
import {
  formatDuration,
  localGitHubDryRun,
  renderStageTable,
  runLocalPipeline,
  type LocalPipelineResult,
  type StageRecord,
} from './local-pipeline';

export const DEMO_DATA_DIR = 'WMS/data/training';
/** File-name prefix of the pairs that "arrive" before run 2 (removed again when a demo starts). */
export const ARRIVAL_PREFIX = 'new_';

/**
 * The demo's training config: small enough that both runs fit in a few minutes on 2 cores, big
 * enough that the first model is real (validation Dice well above 0.9 on the generated meters).
 */
export const DEMO_CONFIG_YAML = `# Written by wms demo: a small configuration so the demo's two trainings take minutes.
# The product's own configuration is WMS/configs/train.yaml (docs/training.md).
model:
  input_size: 96
  depth: 3
  base_filters: 8
# A fixed number of epochs, not a time budget, decides how long each run trains: with a budget the
# run on the grown dataset would get fewer epochs than the first and lose for that reason alone.
training:
  epochs: 12
  batch_size: 8
  learning_rate: 0.003
  early_stopping_patience: 12
  time_budget_sec: 240 # a cap for slow machines only (12 epochs take ~1-2 min on 2 cores)
data:
  min_val_pairs: 8
refine:
  enabled: false
baseline:
  min_dice: 0.75
  min_iou: 0.6
`;

export interface DemoOptions {
  workdir: string;
  count: number;
  /** Pairs that arrive before run 2 (default: a quarter of count, at least 8). */
  newCount?: number;
  width: number;
  height: number;
  seed: number;
  backend?: BackendPreference;
  /** Training budget of each run (default: the config's). */
  timeBudgetSec?: number;
  /** Config of both runs (default: the demo's small config). */
  config?: string;
  model: string;
  env: NodeJS.ProcessEnv;
}

export interface DemoResult {
  first: LocalPipelineResult;
  second: LocalPipelineResult;
  /** The pairs added before run 2. */
  arrivals: { count: number; ids: string[] };
  /** The two data pushes (the sample, then the new pairs) to the demo's own git remote and store. */
  pushes: DataPushStageResult[];
  /** What the second gate decided and why, in one paragraph. */
  verdict: string;
  summary: string;
}

/** Where the demo's data pushes go: a bare git repository and a folder object store, both in the workdir. */
export const DEMO_GIT_REMOTE = '.wms/origin.git';
export const DEMO_DATA_STORE = '.wms/data-store';
/** File in .git that marks a repository wms demo made (and may therefore reset). */
const DEMO_REPOSITORY_MARKER = 'wms-demo';

const git = (cwd: string, args: string[]): void => {
  execFileSync('git', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
};

/**
 * The workdir becomes a git repository of its own (never the clone it sits in) with a local bare
 * remote, so `wms data push`'s stage runs for real: data-qa on the new files, objects into the
 * folder store, pointer files on a data/ branch pushed to the remote. Made fresh for every demo.
 */
async function prepareDemoRepository(workspace: string): Promise<void> {
  const marker = join(workspace, '.git', DEMO_REPOSITORY_MARKER);
  if (existsSync(join(workspace, '.git')) && !existsSync(marker)) {
    throw new UserError(`--workdir ${workspace} is a git repository that wms demo did not create.`, {
      hint: 'The demo makes its workdir a repository of its own and resets it on every run: pick a new folder (default .wms-demo).',
    });
  }
  for (const stale of ['.git', DEMO_GIT_REMOTE, DEMO_DATA_STORE]) {
    await fsp.rm(join(workspace, stale), { recursive: true, force: true });
  }
  git(workspace, ['init', '-q', '-b', 'main']);
  await writeFileAtomic(marker, 'Made by wms demo; the next demo resets this repository.\n');
  await writeFileAtomic(
    join(workspace, '.gitignore'),
    [
      '# Written by wms demo: the data travels as pointer files (wms data push), runs stay local.',
      `/${DEMO_DATA_DIR}/images/`,
      `/${DEMO_DATA_DIR}/masks/`,
      '/.wms/',
      '/model-metadata.json',
      '/model-history.jsonl',
      '',
    ].join('\n'),
  );
  const identity = ['-c', 'user.name=wms demo', '-c', 'user.email=wms-demo@localhost', '-c', 'commit.gpgsign=false'];
  git(workspace, ['add', '.gitignore']);
  git(workspace, [...identity, 'commit', '-q', '-m', 'wms demo workspace']);
  git(workspace, ['init', '-q', '--bare', join(workspace, DEMO_GIT_REMOTE)]);
  git(workspace, ['remote', 'add', 'origin', join(workspace, DEMO_GIT_REMOTE)]);
}

async function pushStage(
  workspace: string,
  env: NodeJS.ProcessEnv,
  deps: { logger: Logger; progress?: ProgressFactory },
): Promise<{ push: DataPushStageResult; record: StageRecord }> {
  const started = Date.now();
  deps.logger.info('▶ data-push');
  const push = await deps.logger.group('data-push', () =>
    runDataPushStage(
      { cwd: workspace, dataDir: DEMO_DATA_DIR, gitRemote: 'origin', remoteUrl: join(workspace, DEMO_DATA_STORE), env },
      deps,
    ),
  );
  deps.logger.info(push.message);
  const added = push.push.folders.map((f) => `${f.out} +${f.added}`).join(', ');
  const record: StageRecord = {
    stage: 'data-push',
    result:
      push.push.status === 'pushed'
        ? `pushed ${push.push.branch} (data version ${push.push.dataCommit?.slice(0, 12)})`
        : 'up to date',
    durationMs: Date.now() - started,
    metrics: `${added}; ${push.push.uploadedObjects} objects uploaded`,
  };
  deps.logger.info(`✔ data-push: ${record.result} (${formatDuration(record.durationMs)})`);
  return { push, record };
}

async function removeArrivals(dataRoot: string): Promise<void> {
  for (const sub of ['images', 'masks']) {
    const dir = join(dataRoot, sub);
    if (!existsSync(dir)) continue;
    for (const name of await fsp.readdir(dir)) {
      if (name.startsWith(ARRIVAL_PREFIX)) await fsp.rm(join(dir, name), { force: true });
    }
  }
}

/** New pairs (another seed, so other photos) copied into the dataset under new names, as a push brings them. */
async function addArrivals(
  workspace: string,
  dataRoot: string,
  options: DemoOptions,
  count: number,
  progress?: ProgressFactory,
): Promise<string[]> {
  const staging = join(workspace, '.wms', 'arrivals');
  await fsp.rm(staging, { recursive: true, force: true });
  const bar = progress?.();
  const { pairs } = await generateSynthDataset({
    outDir: staging,
    count,
    width: options.width,
    height: options.height,
    seed: options.seed + 1000,
    progress: bar,
  });
  bar?.stop();
  const ids: string[] = [];
  for (const pair of pairs) {
    const id = `${ARRIVAL_PREFIX}${pair.id}`;
    await fsp.copyFile(pair.image, join(dataRoot, 'images', `${id}.jpg`));
    await fsp.copyFile(pair.mask, join(dataRoot, 'masks', `${id}.png`));
    ids.push(id);
  }
  await fsp.rm(staging, { recursive: true, force: true });
  return ids;
}

/** One paragraph: what the second gate compared and what it decided. */
export function explainSecondRun(second: LocalPipelineResult, arrivals: number): string {
  const gate = second.gate;
  if (!gate) return `Run 2 stopped before the quality gate: ${second.stoppedBecause ?? 'unknown reason'}.`;
  const compared =
    gate.baselineSource === 're-evaluated'
      ? `The gate re-scored champion v${gate.championVersion} on the candidate's ${gate.evaluatedImages} held-out pairs (${gate.perImage.candidate.filter((p) => p.id.startsWith(ARRIVAL_PREFIX)).length} of them among the ${arrivals} new ones): champion Dice ${formatNumber(gate.baseline.dice)} / IoU ${formatNumber(gate.baseline.iou)}, candidate Dice ${formatNumber(gate.candidate.dice)} / IoU ${formatNumber(gate.candidate.iou)}.`
      : `The gate compared the candidate (Dice ${formatNumber(gate.candidate.dice)}) against ${gate.championVersion ? `champion v${gate.championVersion}'s ${gate.baselineSource} metrics` : 'baseline 0'}.`;
  const decided = second.promotion
    ? `It promoted the candidate: v${second.promotion.version} is the new champion.`
    : `It kept champion v${gate.championVersion}: ${gate.reason}`;
  return `${compared} ${decided}`;
}

export async function runDemo(
  options: DemoOptions,
  deps: { logger: Logger; progress?: ProgressFactory },
): Promise<DemoResult> {
  const { logger } = deps;
  const workspace = resolve(options.workdir);
  const dataRoot = join(workspace, DEMO_DATA_DIR);
  await removeArrivals(dataRoot);
  if (existsSync(join(dataRoot, 'images'))) {
    logger.info(`Sample data: reusing ${dataRoot}`);
  } else {
    logger.info(`Sample data: generating ${options.count} pairs at ${options.width}×${options.height} in ${dataRoot}`);
    const progress = deps.progress?.();
    await generateSynthDataset({
      outDir: dataRoot,
      count: options.count,
      width: options.width,
      height: options.height,
      seed: options.seed,
      progress,
    });
    progress?.stop();
  }
  // The demo shows a first model being promoted, so each demo starts from an empty registry and
  // fresh data versions in its own folder (the generated data is kept and reused).
  for (const stale of ['.wms/registry', 'model-metadata.json', 'model-history.jsonl']) {
    await fsp.rm(join(workspace, stale), { recursive: true, force: true });
  }
  let config = options.config;
  if (!config) {
    config = join(workspace, '.wms', 'configs', 'demo.yaml');
    await writeFileAtomic(config, DEMO_CONFIG_YAML);
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  // The dry-run GitHub stages act on the data branch each push made, at its head commit.
  const github = ({ push }: DataPushStageResult, fallback: string) => {
    const dryRun = localGitHubDryRun(workspace, options.env, logger, push.branch ?? fallback);
    return push.dataCommit ? { ...dryRun, headSha: push.dataCommit } : dryRun;
  };
  const common = {
    workspace,
    dataDir: DEMO_DATA_DIR,
    backend: options.backend,
    model: options.model,
    config,
    timeBudgetSec: options.timeBudgetSec,
    // The demo's registry is its own folder, whatever MLFLOW_TRACKING_URI says.
    registry: { trackingUri: 'local', trackingUriSource: 'the demo' },
    env: options.env,
  };

  await prepareDemoRepository(workspace);
  logger.info('Run 1: the sample dataset is pushed as the first data version; no champion yet.');
  const push1 = await pushStage(workspace, options.env, deps);
  const first = await runLocalPipeline(
    { ...common, runName: `${stamp}-run1`, github: github(push1.push, `data/${stamp}-sample`) },
    deps,
  );
  first.stages.unshift(push1.record);

  const newCount = options.newCount ?? Math.max(8, Math.round(options.count / 4));
  logger.info(
    `New data arrives: ${newCount} new pairs in ${dataRoot}, pushed with the data-push stage (what \`wms data push\` runs).`,
  );
  const ids = await addArrivals(workspace, dataRoot, options, newCount, deps.progress);
  const push2 = await pushStage(workspace, options.env, deps);

  logger.info('Run 2: a candidate trained on the grown dataset; the gate decides against the champion.');
  const second = await runLocalPipeline(
    { ...common, runName: `${stamp}-run2`, github: github(push2.push, `data/${stamp}-new-pairs`) },
    deps,
  );
  second.stages.unshift(push2.record);
  const verdict = explainSecondRun(second, ids.length);

  const paths = (r: LocalPipelineResult) => r.outputs.map(([label, path]) => `- ${label}: \`${path}\``);
  const summary = [
    mdHeading('WMS Pipeline demo'),
    mdTable(
      ['run', 'data', 'candidate Dice', 'champion Dice (same pairs)', 'outcome'],
      [
        [
          '1',
          `${first.qa.counts.validPairs} sample pairs`,
          formatNumber(first.gate?.candidate.dice),
          '— (none yet)',
          first.promotion ? `promoted as v${first.promotion.version}` : `not promoted: ${first.stoppedBecause ?? ''}`,
        ],
        [
          '2',
          `${second.qa.counts.validPairs} pairs (+${ids.length} new)`,
          formatNumber(second.gate?.candidate.dice),
          second.gate?.championVersion ? formatNumber(second.gate.baseline.dice) : '—',
          second.promotion
            ? `promoted as v${second.promotion.version}`
            : `kept v${second.gate?.championVersion ?? '?'}`,
        ],
      ],
    ),
    '',
    verdict,
    '',
    '### Run 1: stages',
    '',
    renderStageTable(first.stages),
    '',
    '### Run 2: stages',
    '',
    renderStageTable(second.stages),
    '',
    '### Where everything was written',
    '',
    `- workspace: \`${workspace}\``,
    `- dataset: \`${dataRoot}\` (${ids.length} arrivals named ${ARRIVAL_PREFIX}*)`,
    `- data versions: objects in \`${join(workspace, DEMO_DATA_STORE)}\`, pointer branches ${[push1, push2].map((p) => `\`${p.push.push.branch ?? '—'}\``).join(' and ')} in \`${join(workspace, DEMO_GIT_REMOTE)}\``,
    `- training config: \`${config}\``,
    ...paths(first),
    ...paths(second).filter((line) => !paths(first).includes(line)),
  ].join('\n');
  return { first, second, arrivals: { count: ids.length, ids }, pushes: [push1.push, push2.push], verdict, summary };
}

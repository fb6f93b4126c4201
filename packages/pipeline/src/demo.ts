/**
 * `wms demo` / `pnpm demo`: the product's story on a laptop, with the same stage functions as the
 * actions. Run 1: sample data (generated when absent) → data-qa → train → gate → promote: the
 * first model ever becomes the champion. Then new pairs arrive, as a data push brings them; run 2
 * trains a candidate on the grown dataset with the same configuration, and the quality gate
 * re-scores the champion on the candidate's held-out pairs and decides. Whatever it decides is
 * shown and explained. The GitHub-only stages run on a dry-run client (nothing is sent).
 */
import { existsSync, promises as fsp } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatNumber, mdHeading, mdTable, writeFileAtomic, type Logger, type ProgressFactory } from '@wms/core';
import { generateSynthDataset } from '@wms/dataset';
import type { BackendPreference } from '@wms/model';
import { localGitHubDryRun, renderStageTable, runLocalPipeline, type LocalPipelineResult } from './local-pipeline';

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
training:
  epochs: 60
  batch_size: 8
  learning_rate: 0.003
  early_stopping_patience: 12
  time_budget_sec: 75
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
  /** What the second gate decided and why, in one paragraph. */
  verdict: string;
  summary: string;
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
      ? `The gate re-scored champion v${gate.championVersion} on the candidate's ${gate.evaluatedImages} held-out pairs (which include some of the ${arrivals} new ones): champion Dice ${formatNumber(gate.baseline.dice)} / IoU ${formatNumber(gate.baseline.iou)}, candidate Dice ${formatNumber(gate.candidate.dice)} / IoU ${formatNumber(gate.candidate.iou)}.`
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
  // The demo shows a first model being promoted, so each demo starts from an empty registry in
  // its own folder (the generated data is kept and reused).
  for (const stale of ['.wms/registry', 'model-metadata.json', 'model-history.jsonl']) {
    await fsp.rm(join(workspace, stale), { recursive: true, force: true });
  }
  let config = options.config;
  if (!config) {
    config = join(workspace, '.wms', 'configs', 'demo.yaml');
    await writeFileAtomic(config, DEMO_CONFIG_YAML);
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const github = (branch: string) => localGitHubDryRun(workspace, options.env, logger, branch);
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

  logger.info('Run 1: the sample dataset, no champion yet.');
  const first = await runLocalPipeline(
    { ...common, runName: `${stamp}-run1`, github: github(`data/${stamp}-sample`) },
    deps,
  );

  const newCount = options.newCount ?? Math.max(8, Math.round(options.count / 4));
  logger.info(
    `New data arrives: ${newCount} pairs, as \`wms data push\` would bring them (it would also upload them to the data remote and push a data/ branch; here they are copied into ${dataRoot}).`,
  );
  const ids = await addArrivals(workspace, dataRoot, options, newCount, deps.progress);

  logger.info('Run 2: a candidate trained on the grown dataset; the gate decides against the champion.');
  const second = await runLocalPipeline(
    { ...common, runName: `${stamp}-run2`, github: github(`data/${stamp}-new-pairs`) },
    deps,
  );
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
    `- training config: \`${config}\``,
    ...paths(first),
    ...paths(second).filter((line) => !paths(first).includes(line)),
  ].join('\n');
  return { first, second, arrivals: { count: ids.length, ids }, verdict, summary };
}

/**
 * `wms demo` / `pnpm demo`: the whole product on a laptop. Generates sample data, runs the
 * pipeline once (first model ever: promoted), then once more with a configuration that is worse
 * by construction (a tiny network trained for seconds), which the quality gate must reject.
 */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatNumber, mdHeading, mdTable, writeFileAtomic, type Logger, type ProgressFactory } from '@wms/core';
import { generateSynthDataset } from '@wms/dataset';
import type { BackendPreference } from '@wms/model';
import { runLocalPipeline, type LocalPipelineResult } from './local-pipeline';

export const DEMO_DATA_DIR = 'WMS/data/training';

/** Worse by construction: 2 levels, 4 filters, one 5-second epoch at a learning rate too small to learn. */
export const WEAK_CONFIG_YAML = `# Written by wms demo: a deliberately weak model that the quality gate must reject.
model:
  depth: 2
  base_filters: 4
training:
  epochs: 1
  learning_rate: 0.000001
  time_budget_sec: 5
`;

export interface DemoOptions {
  workdir: string;
  count: number;
  width: number;
  height: number;
  seed: number;
  backend?: BackendPreference;
  /** Training budget of the first (good) run. */
  timeBudgetSec: number;
  /** Config of the first run (default: the workspace's WMS/configs/train.yaml, else embedded defaults). */
  config?: string;
  model: string;
  env: NodeJS.ProcessEnv;
}

export interface DemoResult {
  first: LocalPipelineResult;
  second: LocalPipelineResult;
  summary: string;
}

function row(label: string, r: LocalPipelineResult): unknown[] {
  return [
    label,
    r.qa.valid ? `valid (${r.qa.counts.validPairs} pairs)` : 'invalid',
    r.train ? `${r.train.backend.name}, ${r.train.epochs.length} epochs` : '—',
    formatNumber(r.gate?.candidate.dice),
    formatNumber(r.gate?.baseline.dice),
    r.promotion ? `promoted as v${r.promotion.version}` : `rejected: ${r.stoppedBecause ?? ''}`,
  ];
}

export async function runDemo(
  options: DemoOptions,
  deps: { logger: Logger; progress?: ProgressFactory },
): Promise<DemoResult> {
  const { logger } = deps;
  const workspace = resolve(options.workdir);
  const dataRoot = join(workspace, DEMO_DATA_DIR);
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
    rmSync(join(workspace, stale), { recursive: true, force: true });
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const common = {
    workspace,
    dataDir: DEMO_DATA_DIR,
    backend: options.backend,
    model: options.model,
    // The demo's registry is its own folder, whatever MLFLOW_TRACKING_URI says.
    registry: { trackingUri: 'local', trackingUriSource: 'the demo' },
    env: options.env,
  };

  logger.info('Run 1: the default configuration.');
  const first = await runLocalPipeline(
    { ...common, runName: `${stamp}-default`, timeBudgetSec: options.timeBudgetSec, config: options.config },
    deps,
  );

  const weakConfig = join(workspace, '.wms', 'configs', 'weak.yaml');
  await writeFileAtomic(weakConfig, WEAK_CONFIG_YAML);
  logger.info('Run 2: a model that is worse by construction (the gate must reject it).');
  const second = await runLocalPipeline({ ...common, runName: `${stamp}-weak`, config: weakConfig }, deps);

  const summary = [
    mdHeading('WMS Pipeline demo'),
    mdTable(
      ['run', 'data-qa', 'train', 'candidate Dice', 'baseline Dice', 'outcome'],
      [row('1 default config', first), row('2 weak config', second)],
    ),
    '',
    `Workspace: \`${workspace}\` (registry in \`.wms/registry\`, model-metadata.json at the top).`,
  ].join('\n');
  return { first, second, summary };
}

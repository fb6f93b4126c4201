/**
 * What a training run tells its RunTracker (MLflow or the local store): params and tags at the
 * start, per-epoch metrics, final metrics and the model's artifacts at the end, FAILED when the
 * run throws. Tracking is a side channel: a flaky tracking server must not throw away a finished
 * training run, so every call here logs a warning instead of failing.
 */
import type { EvaluationResult, Logger, RunTracker } from '@wms/core';
import type { RefineChoice } from './run-record';
import type { EpochLog } from './train-loop';

export interface RunTracking {
  start(params: Record<string, string | number | boolean>, tags: Record<string, string>): Promise<void>;
  /** `prefix` tells the networks apart: '' for the first, 'refine_' for the refine network. */
  epoch(log: EpochLog, prefix: string): Promise<void>;
  finish(
    metrics: { validation: EvaluationResult; test: EvaluationResult; heldOut: EvaluationResult },
    refineChoice: RefineChoice | undefined,
    modelDir: string,
  ): Promise<void>;
  fail(): Promise<void>;
}

async function trackQuietly(logger: Logger, what: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    logger.warning(`run tracker: could not ${what}: ${(error as Error).message}`);
  }
}

/** Without a tracker every step is a no-op. */
export function createRunTracking(tracker: RunTracker | undefined, logger: Logger): RunTracking {
  if (!tracker) {
    const nothing = async (): Promise<void> => undefined;
    return { start: nothing, epoch: nothing, finish: nothing, fail: nothing };
  }
  return {
    async start(params, tags) {
      await trackQuietly(logger, 'log params', () => tracker.logParams(params));
      await trackQuietly(logger, 'set tags', () => tracker.setTags(tags));
    },
    epoch: (log, prefix) =>
      trackQuietly(logger, 'log metrics', () =>
        tracker.logMetrics(
          {
            [`${prefix}train_loss`]: log.trainLoss,
            [`${prefix}val_loss`]: log.valLoss,
            [`${prefix}val_dice`]: log.valDice,
            [`${prefix}learning_rate`]: log.learningRate,
          },
          log.epoch,
        ),
      ),
    finish: ({ validation, test, heldOut }, refineChoice, modelDir) =>
      trackQuietly(logger, 'log final metrics', async () => {
        await tracker.logMetrics({
          val_dice_final: validation.mean.dice,
          val_iou_final: validation.mean.iou,
          test_dice: test.mean.dice,
          test_iou: test.mean.iou,
          heldout_dice: heldOut.mean.dice,
          heldout_iou: heldOut.mean.iou,
          ...(refineChoice ? { refine_passes: refineChoice.passes } : {}),
        });
        await tracker.logArtifacts(modelDir, 'model');
        await tracker.end('FINISHED');
      }),
    fail: () => trackQuietly(logger, 'end the run', () => tracker.end('FAILED')),
  };
}

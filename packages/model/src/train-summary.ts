/** The train stage's job-summary block: final metrics, then the learning curve folded. */
import { formatDuration, formatNumber, mdDetails, mdHeading, mdTable } from '@wms/core';
import { patchTrainingSize } from './patch-samples';
import type { TrainResult } from './train-model';
import type { EpochLog } from './train-loop';

export function trainSummaryMarkdown(result: TrainResult): string {
  const { metrics, record } = result;
  const finals = mdTable(
    ['split', 'pairs', 'Dice', 'IoU'],
    [
      [
        'validation',
        metrics.validation.count,
        formatNumber(metrics.validation.mean.dice),
        formatNumber(metrics.validation.mean.iou),
      ],
      ['test', metrics.test.count, formatNumber(metrics.test.mean.dice), formatNumber(metrics.test.mean.iou)],
      [
        'held-out (val + test)',
        metrics.heldOut.count,
        formatNumber(metrics.heldOut.mean.dice),
        formatNumber(metrics.heldOut.mean.iou),
      ],
    ],
    ['l', 'r', 'r', 'r'],
  );
  const curve = curveTable({ epochs: result.epochs, bestEpoch: result.bestEpoch });
  const facts = [
    `backend **${result.backend.name}**, seed ${record.seed}, input ${record.config.model.input_size}px` +
      `${patchNote(record.config)}, ${record.split.train.length} training pairs`,
    `stopped: ${result.stopReason} after ${result.epochs.length} epochs (best ${result.bestEpoch}); ` +
      `training ${formatDuration(record.timings.trainSec * 1000)}, total ${formatDuration(record.timings.totalSec * 1000)}`,
    ...(record.refine
      ? [
          `refine network (${record.config.refine.input_size}px crops): stopped: ${record.refine.stopReason} after ` +
            `${record.refine.epochs.length} epochs (best ${record.refine.bestEpoch}); ` +
            `${record.refine.used ? `**kept** (${record.refine.passes} pass${record.refine.passes > 1 ? 'es' : ''})` : '**dropped**'}: validation Dice ` +
            `${formatNumber(record.refine.validationDice.withRefine)} with it, ` +
            `${formatNumber(record.refine.validationDice.without)} without`,
        ]
      : []),
    ...(record.inference ? [inferenceFact(record)] : []),
    result.runId ? `run \`${result.runId}\`` : 'no run tracker',
  ];
  return [
    mdHeading('Train'),
    facts.map((f) => `- ${f}`).join('\n'),
    finals,
    mdDetails(`Learning curve (${result.epochs.length} epochs)`, curve),
    ...(record.refine
      ? [mdDetails(`Refine network learning curve (${record.refine.epochs.length} epochs)`, curveTable(record.refine))]
      : []),
  ].join('\n\n');
}

/** What the model applies, chosen on validation, and the loss weights it trained with. */
function inferenceFact(record: TrainResult['record']): string {
  const choice = record.inference!;
  const pp = choice.postprocess;
  const keep = choice.component_choice === 'ranked' ? 'keep the ranker’s component' : 'keep largest component';
  const steps = [pp.keep_largest_component ? keep : '', pp.fill_holes ? 'fill holes' : ''].filter(Boolean).join(' + ');
  const auto = choice.chosenOnValidation.length > 0 ? ' (chosen on validation)' : '';
  // Records written before TTA and candidate regions existed have neither key.
  const tta = choice.tta && choice.tta !== 'none' ? `, first-stage TTA ${choice.tta}` : '';
  const regions = (choice.regions ?? 1) > 1 ? `, ${choice.regions} candidate regions for the refine network` : '';
  const fallback = choice.empty_fallback ? ', empty first-stage masks fall back to the peak region' : '';
  return (
    `post-processing: ${steps || 'none'}${tta}${regions}${fallback}${auto}; foreground prior ` +
    `${record.config.model.foreground_prior}, pos_weight ${record.config.training.loss.pos_weight}`
  );
}

function curveTable(run: { epochs: readonly EpochLog[]; bestEpoch: number }): string {
  return mdTable(
    ['epoch', 'train loss', 'val loss', 'val Dice (input size)', 'lr', 'time'],
    run.epochs.map((e) => [
      e.epoch === run.bestEpoch ? `**${e.epoch}** (best)` : e.epoch,
      formatNumber(e.trainLoss),
      formatNumber(e.valLoss),
      formatNumber(e.valDice),
      e.learningRate.toExponential(2),
      formatDuration(e.seconds * 1000),
    ]),
    ['r', 'r', 'r', 'r', 'r', 'r'],
  );
}

/** ' (trained on 128px patches)' when the first network trained on patches (training.patch_size). */
function patchNote(config: TrainResult['record']['config']): string {
  const patch = patchTrainingSize(config);
  return patch === undefined ? '' : ` (trained on ${patch}px patches)`;
}

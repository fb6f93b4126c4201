/**
 * The training-results comment: champion vs candidate for Dice and IoU with deltas and the verdict
 * (the gate's reason carries the significance result when it was required), the learning curve as
 * a Mermaid chart GitHub renders, the photos where the two models differ most, the backend, wall
 * time, run link and what happens next.
 */
import { formatDelta, formatDuration, formatNumber, mdDetails, mdTable, type ImageScore } from '@wms/core';

export interface GateVerdict {
  model: string;
  improved: boolean;
  reason: string;
  candidate: { dice: number; iou: number };
  /** Zeros when there is no champion. */
  baseline: { dice: number; iou: number };
  championVersion: string | null;
  baselineSource: string;
}

export interface EpochPoint {
  epoch: number;
  trainLoss: number;
  valLoss: number;
  valDice: number;
}

export interface TrainingRecord {
  runId: string | null;
  backend: string;
  totalSec: number | null;
  bestEpoch: number | null;
  epochs: EpochPoint[];
  /** The candidate's per-photo held-out scores. */
  perImage: ImageScore[];
}

export interface ResultsCommentInput {
  gate: GateVerdict;
  training: TrainingRecord;
  /** The champion's per-photo scores on the same pairs, when the gate exported them. */
  championPerImage?: ImageScore[];
  headSha: string;
  runUrl?: string;
  /** The registry version promote registered, when it ran. */
  promotedVersion?: string;
  /** Whether this PR will be approved and merged automatically when improved. */
  autoMerge: boolean;
  photos?: number;
}

const MAX_CHART_POINTS = 60;

/** The chart's lines in plot order; xychart has no legend, so the text under it names the colours. */
const LINES = [
  { label: 'validation Dice', name: '🟩 green:', colour: '#2da44e' },
  { label: 'validation loss', name: '🟥 red:', colour: '#cf222e' },
  { label: 'training loss', name: '🟪 purple:', colour: '#8250df' },
] as const;

const BASELINE_LABEL: Record<string, string> = {
  none: 'no champion yet (baseline 0)',
  're-evaluated': 'the champion re-evaluated on the same pairs',
  recorded: 'the champion’s recorded metrics (it could not be re-evaluated; measured on older data)',
};

function downsample<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const step = (points.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => points[Math.round(i * step)]!);
}

const chartNumber = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : '0');

/** Mermaid xychart (GitHub renders it): validation Dice and both losses per epoch. */
export function learningCurveChart(epochs: readonly EpochPoint[]): string {
  if (epochs.length === 0) return '_No epochs were recorded._';
  const shown = downsample(epochs, MAX_CHART_POINTS);
  const values = shown.flatMap((e) => [e.trainLoss, e.valLoss, e.valDice]).filter(Number.isFinite);
  const top = Math.max(1, ...values);
  const colours = LINES.map((l) => l.colour).join(', ');
  return [
    '```mermaid',
    `%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "${colours}"}}}}%%`,
    'xychart-beta',
    '  title "Learning curve"',
    `  x-axis "epoch" [${shown.map((e) => e.epoch).join(', ')}]`,
    `  y-axis "value" 0 --> ${chartNumber(Math.ceil(top * 10) / 10)}`,
    `  line [${shown.map((e) => chartNumber(e.valDice)).join(', ')}]`,
    `  line [${shown.map((e) => chartNumber(e.valLoss)).join(', ')}]`,
    `  line [${shown.map((e) => chartNumber(e.trainLoss)).join(', ')}]`,
    '```',
    '',
    `${LINES.map((l) => `${l.name} ${l.label}`).join(', ')}${shown.length < epochs.length ? ` (${shown.length} of ${epochs.length} epochs shown)` : ''}.`,
  ].join('\n');
}

/** Photos where champion and candidate disagree most; without champion scores, the candidate's weakest. */
export function photosToLookAt(input: ResultsCommentInput): string {
  const limit = input.photos ?? 5;
  const champion = new Map((input.championPerImage ?? []).map((s) => [s.id, s]));
  if (champion.size > 0) {
    const paired = input.training.perImage
      .filter((s) => champion.has(s.id))
      .map((s) => ({ id: s.id, candidate: s.dice, champion: champion.get(s.id)!.dice }))
      .sort((a, b) => Math.abs(b.candidate - b.champion) - Math.abs(a.candidate - a.champion))
      .slice(0, limit);
    return mdTable(
      ['Photo', 'Champion Dice', 'Candidate Dice', 'Delta'],
      paired.map((p) => [
        `\`${p.id}\``,
        formatNumber(p.champion),
        formatNumber(p.candidate),
        formatDelta(p.candidate - p.champion),
      ]),
      ['l', 'r', 'r', 'r'],
    );
  }
  const weakest = [...input.training.perImage].sort((a, b) => a.dice - b.dice).slice(0, limit);
  if (weakest.length === 0) return '_No per-photo scores were recorded._';
  return [
    '_The gate did not export the champion’s per-photo scores, so these are the candidate’s weakest held-out photos:_',
    '',
    mdTable(
      ['Photo', 'Candidate Dice', 'Candidate IoU'],
      weakest.map((s) => [`\`${s.id}\``, formatNumber(s.dice), formatNumber(s.iou)]),
      ['l', 'r', 'r'],
    ),
  ].join('\n');
}

function nextStep(input: ResultsCommentInput): string {
  if (!input.gate.improved) {
    return 'This pull request stays **open and unapproved**. Push more or corrected pairs to this branch to train again, or close it.';
  }
  const promoted = input.promotedVersion
    ? `Version ${input.promotedVersion} of ${input.gate.model} is now the champion. `
    : '';
  return input.autoMerge
    ? `${promoted}This pull request is approved and merges automatically once the required checks pass; its data branch is deleted after the merge.`
    : `${promoted}Automatic merging is off for this pipeline: a maintainer merges this pull request.`;
}

export function renderResultsComment(input: ResultsCommentInput): string {
  const { gate, training } = input;
  const verdict = gate.improved
    ? '✅ Better than the champion — accepted'
    : '❌ Not better than the champion — not accepted';
  const champion = gate.championVersion === null ? 'no champion (baseline 0)' : `champion v${gate.championVersion}`;
  const table = mdTable(
    ['Metric', champion, 'Candidate', 'Delta'],
    [
      [
        'Dice',
        formatNumber(gate.baseline.dice),
        formatNumber(gate.candidate.dice),
        formatDelta(gate.candidate.dice - gate.baseline.dice),
      ],
      [
        'IoU',
        formatNumber(gate.baseline.iou),
        formatNumber(gate.candidate.iou),
        formatDelta(gate.candidate.iou - gate.baseline.iou),
      ],
    ],
    ['l', 'r', 'r', 'r'],
  );
  const facts = mdTable(
    ['Backend', 'Wall time', 'Best epoch', 'Run', 'Commit'],
    [
      [
        training.backend,
        training.totalSec === null ? 'n/a' : formatDuration(training.totalSec * 1000),
        training.bestEpoch === null ? 'n/a' : `${training.bestEpoch} of ${training.epochs.length}`,
        input.runUrl ? `[workflow run](${input.runUrl})` : (training.runId ?? 'n/a'),
        input.headSha.slice(0, 12),
      ],
    ],
  );
  return [
    `## Training results: ${gate.model}`,
    '',
    `**${verdict}**`,
    '',
    table,
    '',
    `**Why:** ${gate.reason}`,
    '',
    `Baseline: ${BASELINE_LABEL[gate.baselineSource] ?? gate.baselineSource}. Scored on the candidate's held-out (validation + test) pairs.`,
    '',
    `**Next:** ${nextStep(input)}`,
    '',
    facts,
    '',
    mdDetails('Learning curve', learningCurveChart(training.epochs)),
    '',
    mdDetails('Photos to look at', photosToLookAt(input)),
  ].join('\n');
}

import { fitToGitHubLimit, learningCurveChart, renderResultsComment, type ResultsCommentInput } from '@wms/github';

const epochs = Array.from({ length: 80 }, (_, i) => ({
  epoch: i + 1,
  trainLoss: 1 - i / 100,
  valLoss: 1.1 - i / 100,
  valDice: i / 100,
}));

function input(overrides: Partial<ResultsCommentInput> = {}): ResultsCommentInput {
  return {
    gate: {
      model: 'water-meter',
      improved: true,
      reason: 'Improved over the champion: Dice 0.9100 (+0.0200), IoU 0.8400 (+0.0300).',
      candidate: { dice: 0.91, iou: 0.84 },
      baseline: { dice: 0.89, iou: 0.81 },
      championVersion: '3',
      baselineSource: 're-evaluated',
    },
    training: {
      runId: 'run-1',
      backend: 'wasm',
      totalSec: 754,
      bestEpoch: 61,
      epochs,
      perImage: [
        { id: 'meter_a', dice: 0.95, iou: 0.9 },
        { id: 'meter_b', dice: 0.5, iou: 0.33 },
        { id: 'meter_c', dice: 0.8, iou: 0.67 },
      ],
    },
    headSha: 'c'.repeat(40),
    runUrl: 'https://github.com/o/r/actions/runs/9',
    promotedVersion: '4',
    autoMerge: true,
    ...overrides,
  };
}

describe('renderResultsComment', () => {
  it('shows champion vs candidate with deltas, the verdict, reason, facts and what happens next', () => {
    const md = renderResultsComment(input());
    expect(md).toContain('**✅ Better than the champion — accepted**');
    expect(md).toContain('| Dice | 0.8900 | 0.9100 | +0.0200 |');
    expect(md).toContain('| IoU | 0.8100 | 0.8400 | +0.0300 |');
    expect(md).toContain('| champion v3 |');
    expect(md).toContain('**Why:** Improved over the champion');
    expect(md).toContain('Baseline: the champion re-evaluated on the same pairs.');
    expect(md).toContain(
      '| wasm | 12 min 34 s | 61 of 80 | [workflow run](https://github.com/o/r/actions/runs/9) | cccccccccccc |',
    );
    expect(md).toContain(
      'Version 4 of water-meter is now the champion. This pull request is approved and merges automatically',
    );
  });

  it('says the PR stays open and unapproved when the candidate is not better', () => {
    const md = renderResultsComment(
      input({
        gate: { ...input().gate, improved: false, reason: 'Not improved: Dice −0.0100.' },
        promotedVersion: undefined,
      }),
    );
    expect(md).toContain('**❌ Not better than the champion — not accepted**');
    expect(md).toContain('stays **open and unapproved**');
    expect(md).not.toContain('merges automatically');
  });

  it('lists the photos where champion and candidate differ most when the champion’s scores are given', () => {
    const md = renderResultsComment(
      input({
        championPerImage: [
          { id: 'meter_a', dice: 0.94, iou: 0.9 },
          { id: 'meter_b', dice: 0.9, iou: 0.8 },
          { id: 'meter_c', dice: 0.6, iou: 0.5 },
        ],
        photos: 2,
      }),
    );
    const rows = md.split('\n').filter((l) => l.startsWith('| `meter_'));
    expect(rows).toEqual(['| `meter_b` | 0.9000 | 0.5000 | −0.4000 |', '| `meter_c` | 0.6000 | 0.8000 | +0.2000 |']);
  });

  it('falls back to the candidate’s weakest photos, and says so', () => {
    const md = renderResultsComment(input({ photos: 1 }));
    expect(md).toContain('did not export the champion’s per-photo scores');
    expect(md).toContain('| `meter_b` | 0.5000 | 0.3300 |');
    expect(md).not.toContain('| `meter_a`');
  });
});

describe('learningCurveChart', () => {
  it('is a Mermaid xychart with one x value per shown epoch and three lines, downsampled to 60 points', () => {
    const chart = learningCurveChart(epochs);
    const lines = chart.split('\n');
    expect(lines[0]).toBe('```mermaid');
    expect(lines[1]).toBe(
      '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#2da44e, #cf222e, #8250df"}}}}%%',
    );
    expect(lines[2]).toBe('xychart-beta');
    const xs = /x-axis "epoch" \[(.*)\]/.exec(chart)![1]!.split(', ');
    expect(xs).toHaveLength(60);
    expect(xs[0]).toBe('1');
    expect(xs.at(-1)).toBe('80');
    const series = lines.filter((l) => l.trim().startsWith('line ['));
    expect(series).toHaveLength(3);
    for (const s of series) expect(s.split(',')).toHaveLength(60);
    expect(series[0]).toContain('0.7900'); // last validation Dice
    expect(chart).toContain(
      '🟩 green: validation Dice, 🟥 red: validation loss, 🟪 purple: training loss (60 of 80 epochs shown).',
    );
  });

  it('says so when no epochs were recorded', () => {
    expect(learningCurveChart([])).toBe('_No epochs were recorded._');
  });
});

describe('fitToGitHubLimit', () => {
  it('returns a body that fits unchanged', () => {
    expect(fitToGitHubLimit('short', 'https://x')).toBe('short');
  });

  it('cuts at a line break, closes an open code fence and <details>, and appends the note with the link', () => {
    const body = `<details><summary>s</summary>\n\n\`\`\`\n${'line\n'.repeat(100)}`;
    const out = fitToGitHubLimit(body, 'https://example.com/report', 200);
    expect(out.length).toBeLessThanOrEqual(200);
    expect(out).toMatch(
      /line\n```\n<\/details>\n\n---\n> ✂️ Cut to fit GitHub's 200-character limit \(\d+ characters\)\. The full report: https:\/\/example\.com\/report\n$/,
    );
  });
});

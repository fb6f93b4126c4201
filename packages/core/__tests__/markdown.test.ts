import { formatDelta, mdFoldedList, mdTable } from '../src';

describe('markdown helpers', () => {
  it('builds aligned tables and escapes pipes and newlines', () => {
    expect(mdTable(['a', 'b'], [['x|y', 'l1\nl2']], ['l', 'r'])).toBe(
      '| a | b |\n| --- | ---: |\n| x\\|y | l1<br>l2 |',
    );
  });
  it('folds long lists with a count', () => {
    const out = mdFoldedList(['1', '2', '3', '4'], 2);
    expect(out).toBe('- 1\n- 2\n- … and 2 more');
  });
  it('signs deltas', () => {
    expect(formatDelta(0.0123, 3)).toBe('+0.012');
    expect(formatDelta(-0.5, 1)).toBe('−0.5');
    expect(formatDelta(0, 1)).toBe('±0.0');
  });
});

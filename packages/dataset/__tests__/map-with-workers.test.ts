import { mapWithWorkers } from '../src/map-with-workers';

describe('mapWithWorkers', () => {
  it('keeps order, never runs more than `workers` at once, and handles fewer items than workers', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapWithWorkers([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
    expect(await mapWithWorkers([1], 8, async (n) => n + 1)).toEqual([2]);
    expect(await mapWithWorkers([], 8, async (n: number) => n)).toEqual([]);
  });

  it('rejects when one call fails', async () => {
    await expect(
      mapWithWorkers([1, 2], 2, async (n) => {
        if (n === 2) throw new Error('boom 2');
        return n;
      }),
    ).rejects.toThrow('boom 2');
  });
});

import { backoffDelay, mapConcurrent, mulberry32, retry } from '../src';

describe('retry', () => {
  it('retries retryable failures with growing jittered delays, then succeeds', async () => {
    const delays: number[] = [];
    let calls = 0;
    const value = await retry(
      async () => {
        calls++;
        if (calls < 3) throw new Error('503');
        return 'ok';
      },
      { attempts: 5, baseMs: 100, label: 'fetch', sleep: async (ms) => void delays.push(ms), random: () => 1 },
    );
    expect(value).toBe('ok');
    expect(calls).toBe(3);
    expect(delays).toEqual([100, 200]);
  });

  it('stops at once on a non-retryable error', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error('400 bad request');
        },
        { attempts: 5, baseMs: 1, label: 'fetch', isRetryable: () => false, sleep: async () => undefined },
      ),
    ).rejects.toThrow('400 bad request');
    expect(calls).toBe(1);
  });

  it('names the label and the attempts when it gives up', async () => {
    await expect(
      retry(
        async () => {
          throw new Error('ECONNRESET');
        },
        { attempts: 3, baseMs: 1, label: 'mlflow GET /runs', sleep: async () => undefined },
      ),
    ).rejects.toThrow('mlflow GET /runs: gave up after 3 attempts: ECONNRESET');
  });

  it('keeps delays between half the cap and the cap, and never above maxMs', () => {
    expect(backoffDelay(1, 100, 1000, () => 0)).toBe(50);
    expect(backoffDelay(3, 100, 1000, () => 1)).toBe(400);
    expect(backoffDelay(10, 100, 1000, () => 1)).toBe(1000);
  });
});

describe('mapConcurrent', () => {
  it('keeps input order and never runs more than `concurrency` at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapConcurrent([30, 5, 20, 1, 10], 2, async (ms, index) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return `${index}:${ms}`;
    });
    expect(out).toEqual(['0:30', '1:5', '2:20', '3:1', '4:10']);
    expect(peak).toBe(2);
  });
});

describe('mulberry32', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const seqA = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(seqA);
    expect(mulberry32(43)()).not.toBe(seqA[0]);
    for (const v of seqA) expect(v >= 0 && v < 1).toBe(true);
  });
});

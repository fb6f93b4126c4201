import { backoffDelay, retry } from '../src';

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

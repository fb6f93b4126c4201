export interface RetryOptions {
  /** Total attempts including the first one. */
  attempts: number;
  /** Delay before the second attempt; doubles each time, with full jitter. */
  baseMs: number;
  /** Upper bound of one delay. */
  maxMs?: number;
  /** Whether this failure is worth another attempt. Default: always. */
  isRetryable?: (error: unknown) => boolean;
  /** Named in log lines and in the final error. */
  label: string;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

// The timer is deliberately not unref'd: a CLI waiting out a backoff has nothing else keeping
// it alive, and an unref'd timer would let the process exit 0 half-way through the wait.
export const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** The delay before attempt `attempt + 1` (attempt counts from 1): full jitter over an exponential cap. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const cap = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/**
 * Runs `fn` until it succeeds, a failure is not retryable, or attempts run out. The final error
 * is the last one thrown, with the label and attempt count prefixed to its message.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { attempts, baseMs, label } = options;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new RangeError(`retry(${label}): attempts must be an integer >= 1, got ${attempts}`);
  }
  const maxMs = options.maxMs ?? 30_000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const isRetryable = options.isRetryable ?? (() => true);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) {
        if (attempt > 1 && error instanceof Error && !error.message.startsWith(`${label}:`)) {
          error.message = `${label}: gave up after ${attempt} attempts: ${error.message}`;
        }
        throw error;
      }
      const delayMs = backoffDelay(attempt, baseMs, maxMs, random);
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs);
    }
  }
}

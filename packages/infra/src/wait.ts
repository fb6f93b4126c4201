/**
 * One polling loop for every wait in the infra stages (instance state, /health): a timeout that
 * names what was awaited and the last thing seen, and a backoff that starts fast and levels off.
 */
import { defaultSleep, UserError } from '@wms/core';

export type PollResult<T> = { done: true; value: T } | { done: false; status: string };

export interface WaitOptions {
  /** What is awaited, for the log and the timeout message, e.g. "instance i-0abc to be running". */
  label: string;
  timeoutMs: number;
  /** First delay between checks; multiplied by `factor` up to `maxIntervalMs`. */
  intervalMs: number;
  maxIntervalMs?: number;
  factor?: number;
  /** What to do about a timeout, appended to the error. */
  hint?: string;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onPoll?: (info: { attempt: number; status: string; elapsedMs: number }) => void;
}

export interface WaitOutcome<T> {
  value: T;
  attempts: number;
  elapsedMs: number;
}

export class WaitTimeoutError extends UserError {
  constructor(
    message: string,
    readonly lastStatus: string,
    hint?: string,
  ) {
    super(message, { hint });
  }
}

export async function waitUntil<T>(check: () => Promise<PollResult<T>>, options: WaitOptions): Promise<WaitOutcome<T>> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const factor = options.factor ?? 1.5;
  const maxInterval = options.maxIntervalMs ?? Math.max(options.intervalMs, 15_000);
  const started = now();
  let interval = options.intervalMs;
  for (let attempt = 1; ; attempt++) {
    const result = await check();
    const elapsedMs = now() - started;
    if (result.done) return { value: result.value, attempts: attempt, elapsedMs };
    options.onPoll?.({ attempt, status: result.status, elapsedMs });
    const remaining = options.timeoutMs - elapsedMs;
    if (remaining <= 0) {
      throw new WaitTimeoutError(
        `Gave up waiting for ${options.label} after ${(elapsedMs / 1000).toFixed(1)} s (${attempt} checks; timeout ${+(options.timeoutMs / 1000).toFixed(1)} s); last seen: ${result.status}.`,
        result.status,
        options.hint,
      );
    }
    await sleep(Math.min(interval, remaining));
    interval = Math.min(maxInterval, interval * factor);
  }
}

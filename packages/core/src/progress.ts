/**
 * Progress of a long step. The CLI draws a bar; actions log a line every ~10% (a bar would
 * flood the runner's log); tests count ticks.
 */
export interface Progress {
  start(total: number, label: string): void;
  tick(count?: number, status?: string): void;
  stop(): void;
}

export type ProgressFactory = () => Progress;

export const noProgress: Progress = { start: () => undefined, tick: () => undefined, stop: () => undefined };

/** Logs "label: 40% (800/2000)" at each 10% step and at the end. */
export function createLogProgress(log: (line: string) => void, steps = 10): Progress {
  let total = 0;
  let done = 0;
  let label = '';
  let nextMark = 0;
  const started = { at: 0 };
  return {
    start(t, l) {
      total = t;
      done = 0;
      label = l;
      nextMark = total / steps;
      started.at = Date.now();
    },
    tick(count = 1, status) {
      done += count;
      if (total > 0 && (done >= nextMark || done === total)) {
        const pct = Math.min(100, Math.floor((100 * done) / total));
        const secs = ((Date.now() - started.at) / 1000).toFixed(1);
        log(`${label}: ${pct}% (${done}/${total}, ${secs} s)${status ? ` ${status}` : ''}`);
        while (nextMark <= done) nextMark += total / steps;
      }
    },
    stop() {
      /* the last tick already logged 100% */
    },
  };
}

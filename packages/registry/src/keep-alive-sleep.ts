/**
 * A sleep that keeps the process alive. core's defaultSleep unrefs its timer, so a CLI whose
 * only pending work is "wait for the lock / back off before a retry" would exit with code 0
 * in the middle of it (found by the two-process promotion test).
 */
export function keepAliveSleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
}

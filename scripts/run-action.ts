/**
 * `pnpm action <name>`: runs an action the way the GitHub runner does, for maintainers — the
 * committed bundle (actions/<name>/dist) copied to a folder with no node_modules, inputs as
 * INPUT_* variables (action.yml defaults filled in), GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files
 * read back. The same harness as the e2e tests (runActionBundle from @wms/test-support).
 *
 *   pnpm action data-qa --input dataset-dir=WMS/data/training
 *   pnpm action train --inputs inputs.env --workspace . --node node20
 *
 * --inputs FILE   name=value lines (input names as in action.yml; # comments)
 * --input N=V     one input (repeatable, wins over --inputs)
 * --env N=V       extra environment of the step (e.g. MLFLOW_TRACKING_URI=…)
 * --workspace DIR GITHUB_WORKSPACE (default: the current directory)
 * --node node24|node20  runtime (default node24, as `runs.using: node24`)
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
// The harness module itself: the package index also loads jest-only helpers.
import { runActionBundle, type E2eNode } from '../packages/test-support/src/action-harness';

function parsePairs(lines: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`${what}: expected name=value, got '${raw}'`);
    out[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (!action || action.startsWith('-')) {
    console.error(
      'usage: pnpm action <name> [--inputs FILE] [--input name=value]… [--env NAME=value]… [--workspace DIR] [--node node24|node20]',
    );
    return 2;
  }
  let inputs: Record<string, string> = {};
  const single: string[] = [];
  const env: string[] = [];
  let workspace = process.cwd();
  let node: E2eNode = 'node24';
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = rest[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--inputs') inputs = { ...inputs, ...parsePairs(readFileSync(value, 'utf8').split('\n'), value) };
    else if (flag === '--input') single.push(value);
    else if (flag === '--env') env.push(value);
    else if (flag === '--workspace') workspace = resolve(value);
    else if (flag === '--node' && (value === 'node24' || value === 'node20')) node = value;
    else throw new Error(`unknown option ${flag} ${value}`);
  }
  inputs = { ...inputs, ...parsePairs(single, '--input') };
  const result = await runActionBundle({
    action,
    node,
    inputs,
    env: parsePairs(env, '--env'),
    workspace,
    timeoutMs: 6 * 3600_000,
  });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  console.log(`\n── ${action} on ${node}: exit ${result.exitCode}`);
  for (const [name, value] of Object.entries(result.outputs)) console.log(`output ${name}=${value}`);
  if (result.summary) console.log(`\n── job summary\n${result.summary}`);
  return result.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);

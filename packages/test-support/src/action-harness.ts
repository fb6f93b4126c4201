/**
 * Runs an action's committed bundle the way the GitHub runner does, for the per-action e2e tests.
 *
 * The action folder (action.yml + dist/) is copied into a fresh directory under os.tmpdir() that has
 * no node_modules on its path, so a bundle that silently depends on the repo's node_modules fails
 * here as it would on a runner. Inputs become INPUT_* variables with the runner's name mangling
 * (defaults from action.yml are filled in, as the runner does), outputs are read back from the
 * GITHUB_OUTPUT file, the job summary from GITHUB_STEP_SUMMARY, annotations from `::error ...::`
 * lines on stdout.
 *
 * Usage (actions/<name>/__tests__/<name>.e2e.test.ts):
 *
 *   import { runActionBundle, e2eNodes } from '@wms/test-support';
 *   describe.each(e2eNodes())('data-qa bundle on %s', (node) => {
 *     it('passes a valid dataset', async () => {
 *       const r = await runActionBundle({ action: 'data-qa', node, inputs: { 'dataset-dir': dir } });
 *       expect(r.exitCode).toBe(0);
 *       expect(r.outputs.valid).toBe('true');
 *     });
 *   });
 *
 * Native modules (sharp) are installed by the bundle itself into RUNNER_TOOL_CACHE on first use
 * (docs/decisions/native-modules.md). The harness shares one tool cache per machine across tests,
 * like a self-hosted runner, so only the first run pays for the install; pass
 * `env: { RUNNER_TOOL_CACHE: <empty dir> }` to exercise a cold install.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve, sep } from 'node:path';
import { findNodeModulesAbove, resolveNodeBinary, type E2eNode } from '../../../scripts/lib/node-binaries';
import { parseAnnotations, parseOutputFile, type Annotation } from '../../../scripts/lib/runner-files';
import { readActionDefaults } from '../../../scripts/lib/action-yml';

export { e2eNodes, resolveNodeBinary, type E2eNode } from '../../../scripts/lib/node-binaries';
export type { Annotation } from '../../../scripts/lib/runner-files';

export const REPO_ROOT = resolve(__dirname, '../../..');
/** Shared across tests and runs, like a self-hosted runner's tool cache. */
export const SHARED_TOOL_CACHE = join(tmpdir(), 'wms-e2e-tool-cache');

export interface RunActionBundleOptions {
  /** Folder name under actions/, e.g. 'data-qa'. */
  action: string;
  /** Input names exactly as in action.yml; unset inputs get their action.yml default. */
  inputs: Record<string, string>;
  /** Extra environment (overrides the runner defaults the harness sets). */
  env?: Record<string, string>;
  node: E2eNode;
  /** GITHUB_WORKSPACE and the working directory; an empty temp dir when omitted. */
  workspace?: string;
  /** Kill the step after this long (default 180 s). */
  timeoutMs?: number;
  /** Keep the temp directory for debugging (its path is in the result). */
  keepTemp?: boolean;
  /** Where action folders live (default: the repo's actions/); for the harness's own tests. */
  actionsRoot?: string;
}

export interface ActionRunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  annotations: Annotation[];
  /** The temp root holding the copied action, runner files and (default) workspace. */
  tempDir: string;
  workspace: string;
}

/** The runner's mangling of an input name into its environment variable. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Copies action.yml + dist/ of actions/<action> into <root>/actions/<action>, as a checkout would. */
function stageAction(action: string, actionsRoot: string, root: string): string {
  const source = join(actionsRoot, action);
  const bundle = join(source, 'dist', 'index.js');
  if (!existsSync(join(source, 'action.yml'))) {
    throw new Error(`actions/${action}/action.yml not found: is '${action}' an action folder name?`);
  }
  if (!existsSync(bundle)) {
    throw new Error(`actions/${action}/dist/index.js not found: run \`pnpm build\` and commit dist/`);
  }
  const target = join(root, 'actions', action);
  mkdirSync(target, { recursive: true });
  cpSync(join(source, 'action.yml'), join(target, 'action.yml'));
  cpSync(join(source, 'dist'), join(target, 'dist'), { recursive: true });
  return target;
}

/**
 * The runner hands its machine environment (PATH, HOME, CA certificates, proxies) to every step;
 * what the test process adds on top (INPUT_*, GITHUB_*, NODE_OPTIONS from jest, npm_* from pnpm)
 * must not leak into the step.
 */
function machineEnv(): Record<string, string> {
  const leaky =
    /^(INPUT_|GITHUB_|RUNNER_|ACTIONS_|JEST_|npm_|PNPM_|WMS_)|^(NODE_OPTIONS|NODE_PATH|NODE_ENV|TS_NODE_.*)$/;
  const env = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !leaky.test(e[0])),
  );
  // pnpm/npx put the repo's node_modules/.bin on PATH; a runner has none of it.
  env.PATH = (env.PATH ?? '/usr/bin:/bin')
    .split(delimiter)
    .filter((dir) => !dir.split(sep).includes('node_modules'))
    .join(delimiter);
  return env;
}

function runnerEnv(o: RunActionBundleOptions, dirs: Record<'action' | 'workspace' | 'temp', string>) {
  const files = { output: join(dirs.temp, 'github_output'), summary: join(dirs.temp, 'step_summary') };
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  const inputs: Record<string, string> = {};
  const defaults = readActionDefaults(join(dirs.action, 'action.yml'));
  for (const [name, value] of Object.entries({ ...defaults, ...o.inputs })) inputs[inputEnvName(name)] = value;
  const env: Record<string, string> = {
    ...machineEnv(),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION_PATH: dirs.action,
    GITHUB_WORKSPACE: dirs.workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: join(dirs.temp, 'runner-temp'),
    RUNNER_TOOL_CACHE: process.env.WMS_E2E_TOOL_CACHE ?? SHARED_TOOL_CACHE,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: process.arch === 'arm64' ? 'ARM64' : 'X64',
    ...inputs,
    ...o.env,
  };
  mkdirSync(env.RUNNER_TEMP as string, { recursive: true });
  mkdirSync(env.RUNNER_TOOL_CACHE as string, { recursive: true });
  return { env, files };
}

/** Runs actions/<action>/dist/index.js as the runner would and collects what it reported. */
export async function runActionBundle(o: RunActionBundleOptions): Promise<ActionRunResult> {
  const nodeBinary = resolveNodeBinary(o.node);
  const tempDir = mkdtempSync(join(tmpdir(), `wms-e2e-${o.action}-`));
  try {
    const above = findNodeModulesAbove(tempDir);
    if (above) throw new Error(`e2e temp dir ${tempDir} has node_modules above it (${above}): set TMPDIR elsewhere`);
    const actionDir = stageAction(o.action, o.actionsRoot ?? join(REPO_ROOT, 'actions'), join(tempDir, 'checkout'));
    const workspace = o.workspace ?? join(tempDir, 'workspace');
    mkdirSync(workspace, { recursive: true });
    const runnerDir = join(tempDir, 'runner');
    mkdirSync(runnerDir);
    const { env, files } = runnerEnv(o, { action: actionDir, workspace, temp: runnerDir });
    const { exitCode, stdout, stderr } = await runNode(nodeBinary, join(actionDir, 'dist', 'index.js'), {
      cwd: workspace,
      env,
      timeoutMs: o.timeoutMs ?? 180_000,
      label: `${o.action} on ${o.node}`,
    });
    return {
      exitCode,
      stdout,
      stderr,
      outputs: parseOutputFile(readFileSync(files.output, 'utf8')),
      summary: readFileSync(files.summary, 'utf8'),
      annotations: parseAnnotations(stdout),
      tempDir,
      workspace,
    };
  } finally {
    if (!o.keepTemp) rmSync(tempDir, { recursive: true, force: true });
  }
}

interface NodeRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function runNode(
  node: string,
  script: string,
  o: { cwd: string; env: Record<string, string>; timeoutMs: number; label: string },
): Promise<NodeRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(node, [script], { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${o.label} did not finish within ${o.timeoutMs} ms; stdout tail:\n${stdout.slice(-2000)}`));
    }, o.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${node} for ${o.label}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

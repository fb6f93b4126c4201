/**
 * Measures esbuild against ncc on this repo's real actions, for docs/decisions/bundling.md:
 * bundle time, size, determinism (two builds byte-identical, no absolute paths), and cold start
 * of the bundle under Node 24 and Node 20 (spawn → first input error reported, i.e. every module
 * loaded and runAction working), median of 3. Ratios are ncc / esbuild from this same run.
 *
 *   npx tsx scripts/lib/bundler-benchmark.ts [action...]   (default: every action)
 * Writes only under $TMPDIR/wms-bundler-bench.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runActionBundle } from '@wms/test-support';
import { bundleAction, generatedEntry, listActionDirs, listFiles, REPO_ROOT } from './bundle-action';
import { findNodeBinary, type E2eNode } from './node-binaries';

// Outside the repo: ncc emits package.json assets that jest's module map would trip over.
const BENCH = join(tmpdir(), 'wms-bundler-bench');
type Bundler = 'esbuild' | 'ncc';

interface NccResult {
  code: string;
  assets: Record<string, { source: string | Buffer }>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ncc = require('@vercel/ncc') as (entry: string, options: Record<string, unknown>) => Promise<NccResult>;

async function buildWithNcc(actionDir: string, outDir: string): Promise<void> {
  const name = relative(join(REPO_ROOT, 'actions'), actionDir);
  const entry = join(BENCH, 'ncc-entries', `${name}.js`);
  mkdirSync(join(BENCH, 'ncc-entries'), { recursive: true });
  const runtime = join(REPO_ROOT, 'packages', 'runtime', 'src', 'index.ts');
  writeFileSync(entry, generatedEntry(join(actionDir, 'src', 'index.ts'), runtime));
  const { code, assets } = await ncc(entry, {
    externals: ['sharp', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
    cache: false,
    quiet: true,
    target: 'es2022',
    transpileOnly: true,
    sourceMapRegister: false,
  });
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'index.js'), code);
  for (const [file, asset] of Object.entries(assets)) {
    mkdirSync(join(outDir, file, '..'), { recursive: true });
    writeFileSync(join(outDir, file), asset.source);
  }
  // Same pins as the esbuild build; ncc has no plugin hook to collect them.
  cpSync(join(actionDir, 'dist', 'native-modules.json'), join(outDir, 'native-modules.json'));
}

async function buildOnce(bundler: Bundler, actionDir: string, outDir: string): Promise<number> {
  const started = process.hrtime.bigint();
  if (bundler === 'esbuild') await bundleAction(actionDir, { outDir });
  else await buildWithNcc(actionDir, outDir);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function sameBytes(a: string, b: string): boolean {
  const files = listFiles(a);
  if (files.join() !== listFiles(b).join()) return false;
  return files.every((f) => readFileSync(join(a, f)).equals(readFileSync(join(b, f))));
}

function leaksMachinePaths(dir: string): boolean {
  return listFiles(dir).some(
    (f) => /\.(js|json|txt)$/.test(f) && readFileSync(join(dir, f), 'utf8').includes(REPO_ROOT),
  );
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function coldStart(bundler: Bundler, name: string, node: E2eNode): Promise<{ ms: number; ok: boolean }> {
  const times: number[] = [];
  let ok = true;
  for (let i = 0; i < 3; i++) {
    const started = process.hrtime.bigint();
    // No inputs: the action loads everything, then reports its first missing required input.
    const r = await runActionBundle({ action: name, node, inputs: {}, actionsRoot: join(BENCH, bundler, 'actions') });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    ok &&=
      r.annotations.some((a) => a.level === 'error') && !/Internal error|Cannot find module/.test(r.stdout + r.stderr);
    if (!ok && i === 0) process.stderr.write(`${bundler} ${name} on ${node}:\n${r.stdout}\n${r.stderr}\n`);
  }
  return { ms: median(times), ok };
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const dirs = listActionDirs().filter((d) => only.length === 0 || only.some((n) => d.endsWith(`/${n}`)));
  const nodes = (['node24', 'node20'] as const).filter((n) => findNodeBinary(n));
  const rows: string[] = [];
  for (const dir of dirs) {
    const name = relative(join(REPO_ROOT, 'actions'), dir);
    if (!existsSync(join(dir, 'dist', 'native-modules.json'))) throw new Error(`run pnpm build first (${name})`);
    const line: Record<string, string> = {};
    for (const bundler of ['esbuild', 'ncc'] as const) {
      const out = join(BENCH, bundler, 'actions', name);
      mkdirSync(out, { recursive: true });
      cpSync(join(dir, 'action.yml'), join(out, 'action.yml'));
      const ms = await buildOnce(bundler, dir, join(out, 'dist'));
      await buildOnce(bundler, dir, join(out, 'dist-again'));
      const deterministic = sameBytes(join(out, 'dist'), join(out, 'dist-again'));
      const bytes = readFileSync(join(out, 'dist', 'index.js')).length;
      const starts = [];
      for (const node of nodes) {
        const s = await coldStart(bundler, name, node);
        starts.push(`${node} ${s.ms.toFixed(0)} ms${s.ok ? '' : ' FAILED'}`);
      }
      line[bundler] =
        `build ${(ms / 1000).toFixed(1)} s, index.js ${(bytes / 1e6).toFixed(2)} MB, ` +
        `deterministic ${deterministic ? 'yes' : 'NO'}, abs paths ${leaksMachinePaths(join(out, 'dist')) ? 'YES' : 'no'}, cold start ${starts.join(' / ')}`;
      process.stdout.write(`${name} ${bundler}: ${line[bundler]}\n`);
    }
    rows.push(`${name}\n  esbuild: ${line.esbuild}\n  ncc:     ${line.ncc}`);
  }
  process.stdout.write(`\n${rows.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});

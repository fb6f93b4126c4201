/**
 * pnpm bench:qa [--pairs 2000] [--width 1024] [--height 768] [--seed 1] [--concurrency N]
 *
 * Generates N synthetic pairs into .bench/ (reused when the parameters match), runs data-qa in a
 * child process (so its peak RSS is its own), runs the same checks the obvious way in Python
 * (scripts/bench/qa_reference.py) on the same files, and prints throughput, peak RSS and ratios.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { createLogProgress, createMemoryLogger, writeJsonAtomic } from '@wms/core';
import { generateSynthDataset, validateDataset } from '@wms/dataset';
import { parseBenchFlags } from '../lib/bench-flags';

const REPO = resolve(__dirname, '../..');
const PYTHON = '/usr/bin/python3';

interface Flags {
  pairs: number;
  width: number;
  height: number;
  seed: number;
  concurrency?: number;
}

interface Measured {
  pairs: number;
  errors: number;
  warnings: number;
  seconds: number;
  /** User + system CPU of the whole process (all threads): comparable even on a busy machine. */
  cpuSeconds: number;
  maxRssKb: number;
}

function parseFlags(argv: string[]): Flags & { child?: string } {
  const { raw: flags, int } = parseBenchFlags('bench:qa', argv);
  return {
    pairs: int('pairs', 2000, 1),
    width: int('width', 1024, 32),
    height: int('height', 768, 32),
    seed: int('seed', 1, 0),
    concurrency: int('concurrency', undefined, 1),
    child: flags.child,
  };
}

/** Generates the dataset unless .bench already holds one made with the same parameters. */
async function ensureDataset(flags: Flags): Promise<string> {
  const dir = join(REPO, '.bench', `qa-${flags.pairs}-${flags.width}x${flags.height}-s${flags.seed}`);
  const marker = join(dir, 'params.json');
  const params = { pairs: flags.pairs, width: flags.width, height: flags.height, seed: flags.seed };
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === JSON.stringify(params, null, 2)) {
    process.stderr.write(`Reusing ${dir}\n`);
    return dir;
  }
  rmSync(dir, { recursive: true, force: true });
  const started = Date.now();
  await generateSynthDataset({
    outDir: dir,
    count: flags.pairs,
    width: flags.width,
    height: flags.height,
    seed: flags.seed,
    progress: createLogProgress((line) => process.stderr.write(`${line}\n`)),
  });
  const seconds = (Date.now() - started) / 1000;
  process.stderr.write(
    `Generated ${flags.pairs} pairs in ${seconds.toFixed(1)} s (${(flags.pairs / seconds).toFixed(1)} pairs/s)\n`,
  );
  await writeJsonAtomic(marker, params);
  return dir;
}

/** Child mode: validate and report this process's own time and peak RSS. */
async function runChild(dir: string, concurrency: number | undefined): Promise<void> {
  const started = process.hrtime.bigint();
  const report = await validateDataset(
    { root: dir, imagesDir: 'images', masksDir: 'masks', ...(concurrency ? { concurrency } : {}) },
    { logger: createMemoryLogger() },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const measured: Measured = {
    pairs: report.counts.candidatePairs,
    errors: report.counts.errors,
    warnings: report.counts.warnings,
    seconds,
    cpuSeconds: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1e6,
    maxRssKb: process.resourceUsage().maxRSS,
  };
  process.stdout.write(`${JSON.stringify(measured)}\n`);
}

function runMeasured(command: string, args: string[]): Measured {
  const result = spawnSync(command, args, { cwd: REPO, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  const line = result.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as Measured;
}

function pythonAvailable(): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import PIL, numpy']).status === 0;
}

function row(label: string, m: Measured): string {
  const rate = m.pairs / m.seconds;
  return `${label.padEnd(28)} ${String(m.pairs).padStart(6)} pairs ${m.seconds.toFixed(2).padStart(8)} s ${rate.toFixed(1).padStart(8)} pairs/s ${((1000 * m.cpuSeconds) / m.pairs).toFixed(2).padStart(6)} CPU-ms/pair  peak RSS ${(m.maxRssKb / 1024).toFixed(0).padStart(5)} MB  errors ${m.errors}`;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.child) return runChild(flags.child, flags.concurrency);
  const dir = await ensureDataset(flags);
  const childArgs = [
    '--import',
    'tsx',
    __filename,
    '--child',
    dir,
    ...(flags.concurrency ? ['--concurrency', String(flags.concurrency)] : []),
  ];
  const node = runMeasured(process.execPath, childArgs);
  const lines = [
    `bench:qa on ${flags.pairs} pairs of ${flags.width}x${flags.height} (${dir})`,
    row('@wms/dataset validateDataset', node),
  ];
  if (pythonAvailable()) {
    const python = runMeasured(PYTHON, [join(REPO, 'scripts/bench/qa_reference.py'), dir]);
    lines.push(row('python PIL+numpy reference', python));
    const ratio = node.pairs / node.seconds / (python.pairs / python.seconds);
    const cpuRatio = python.cpuSeconds / python.pairs / (node.cpuSeconds / node.pairs);
    lines.push(
      `throughput ratio: ${ratio.toFixed(2)}× python (target >= 3×); CPU per pair: python / node = ${cpuRatio.toFixed(2)}`,
    );
    lines.push(
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} on ${availableParallelism()} cores (other work skews wall-clock ratios)`,
    );
  } else {
    lines.push(`python reference skipped: ${PYTHON} with PIL and numpy not found`);
  }
  lines.push(`peak RSS: ${(node.maxRssKb / 1024).toFixed(0)} MB (target < 300 MB at 2,000 pairs, <= +20 % at 8,000)`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

/**
 * pnpm bench:train [--sizes 64,128] [--batch 8] [--steps 6] [--workers 2] [--cpu-steps 1] [--skip-cpu 1]
 *
 * Trains the production U-Net (buildUNet) at the seed's shape (16 base filters, 3 levels, batch
 * norm, bilinear up-sampling; BCE, Adam) on random data on every backend that
 * loads here — tensorflow (tfjs-node) when installed, wasm in one thread, wasm data-parallel over
 * `--workers` threads, cpu for one step of 2 images at the smallest size (it is ~0.05 img/s at
 * 128×128; per-image throughput hardly depends on the batch there) — and the
 * identical network in PyTorch with the same thread count (scripts/bench/train_reference.py, via
 * /usr/bin/python3). Prints images/s and images per CPU-second, and both ratios to PyTorch;
 * the CPU-second ratio stays meaningful when other processes share the machine.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { loadavg } from 'node:os';
import { createConsoleLogger, silentLogger, writeJsonAtomic } from '@wms/core';
import { buildUNet, DEFAULT_TRAIN_CONFIG } from '@wms/model';
import {
  createDataParallelTrainer,
  describeModel,
  loadTfjsNode,
  ModelReplica,
  selectBackend,
  type TensorBatch,
} from '@wms/tfjs-runtime';
import { parseBenchFlags } from '../lib/bench-flags';

const REPO = resolve(__dirname, '../..');
const PYTHON = '/usr/bin/python3';
const OPTIMIZER = { name: 'adam', learningRate: 1e-3 } as const;

/** The network every runner trains: production's builder at the seed's shape (train_reference.py mirrors it). */
function benchUNet(size: number) {
  return buildUNet({ ...DEFAULT_TRAIN_CONFIG.model, input_size: size, base_filters: 16, depth: 3, batch_norm: true });
}

interface Flags {
  sizes: number[];
  batch: number;
  steps: number;
  workers: number;
  cpuSteps: number;
  skipCpu: boolean;
}

interface Row {
  runner: string;
  size: number;
  threads: number;
  imagesPerSecond: number;
  imagesPerCpuSecond: number;
}

function parseFlags(argv: string[]): Flags {
  const { raw: flags, int } = parseBenchFlags('bench:train', argv);
  const sizes = (flags.sizes ?? '64,128').split(',').map(Number);
  if (sizes.some((s) => !Number.isInteger(s) || s < 16 || s % 8 !== 0)) {
    throw new Error(`bench:train: --sizes is "${flags.sizes}"; expected multiples of 8 >= 16, comma-separated`);
  }
  return {
    sizes,
    batch: int('batch', 8, 1),
    steps: int('steps', 6, 1),
    workers: int('workers', 2, 1),
    cpuSteps: int('cpu-steps', 1, 1),
    skipCpu: int('skip-cpu', 0, 0) === 1,
  };
}

function randomBatch(count: number, size: number): TensorBatch {
  const x = new Float32Array(count * size * size * 3).map(() => Math.random());
  const y = new Float32Array(count * size * size).map(() => (Math.random() < 0.05 ? 1 : 0));
  return { x, xShape: [count, size, size, 3], y, yShape: [count, size, size, 1] };
}

/** Times `steps` calls after `warmup` ones (XNNPACK builds its operators on the first). */
async function measure(step: () => Promise<void>, images: number, steps: number, warmup: number) {
  for (let i = 0; i < warmup; i++) await step();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const seconds = (performance.now() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { imagesPerSecond: (images * steps) / seconds, imagesPerCpuSecond: (images * steps) / cpuSeconds };
}

/** One process, one replica: the tensorflow, single-thread wasm and cpu measurements. */
async function measureInProcess(size: number, batchSize: number, steps: number, warmup: number) {
  const model = benchUNet(size);
  const replica = await ModelReplica.create({
    ...describeModel(model),
    loss: 'binaryCrossentropy',
    optimizer: OPTIMIZER,
  });
  const batch = randomBatch(batchSize, size);
  const result = await measure(
    async () => {
      const { gradients, nonTrainable } = replica.computeGradients(batch);
      replica.applyGradients(gradients, nonTrainable);
    },
    batchSize,
    steps,
    warmup,
  );
  replica.dispose();
  model.dispose();
  return result;
}

async function measureDataParallel(size: number, flags: Flags) {
  const model = benchUNet(size);
  const trainer = await createDataParallelTrainer({
    model,
    loss: 'binaryCrossentropy',
    optimizer: OPTIMIZER,
    workers: flags.workers,
    logger: silentLogger,
  });
  const batch = randomBatch(flags.batch, size);
  // trainStep transfers the shards it sends, so each step gets fresh copies.
  const copy = (): TensorBatch => ({ ...batch, x: batch.x.slice(), y: batch.y.slice() });
  try {
    return await measure(async () => void (await trainer.trainStep(copy())), flags.batch, flags.steps, 2);
  } finally {
    await trainer.close();
    model.dispose();
  }
}

function measurePytorch(size: number, flags: Flags, threads: number): Row | string {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return `PyTorch unavailable (${PYTHON} -c "import torch" failed)`;
  const args = [
    '--size',
    String(size),
    '--batch',
    String(flags.batch),
    '--steps',
    String(flags.steps),
    '--threads',
    String(threads),
  ];
  const run = spawnSync(PYTHON, [resolve(__dirname, 'train_reference.py'), ...args], { encoding: 'utf8' });
  if (run.status !== 0) return `PyTorch reference failed: ${run.stderr.trim().split('\n').pop() ?? ''}`;
  const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as { images_per_s: number; images_per_cpu_s: number };
  return {
    runner: `pytorch (${threads} threads)`,
    size,
    threads,
    imagesPerSecond: result.images_per_s,
    imagesPerCpuSecond: result.images_per_cpu_s,
  };
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const logger = createConsoleLogger();
  const rows: Row[] = [];
  const notes: string[] = [
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  ];
  let wasmVersion = '';
  const tfjsNode = loadTfjsNode();
  if (!tfjsNode.loaded) notes.push(`tensorflow skipped: ${tfjsNode.reason}`);

  for (const size of flags.sizes) {
    logger.info(`── ${size}×${size}, batch ${flags.batch}`);
    // Same thread count as the wasm workers (the comparison asked for), and one thread: PyTorch's
    // per-CPU efficiency, which holds up when other jobs share the machine and 2 threads do not.
    for (const threads of [...new Set([flags.workers, 1])]) {
      const reference = measurePytorch(size, flags, threads);
      if (typeof reference === 'string') notes.push(reference);
      else rows.push(reference);
    }
    if (tfjsNode.loaded) {
      const info = await selectBackend('tensorflow', silentLogger);
      rows.push({
        runner: 'tfjs tensorflow',
        size,
        threads: info.threads,
        ...(await measureInProcess(size, flags.batch, flags.steps, 2)),
      });
    }
    wasmVersion = (await selectBackend('wasm', silentLogger)).version;
    rows.push({
      runner: 'tfjs wasm, 1 process',
      size,
      threads: 1,
      ...(await measureInProcess(size, flags.batch, flags.steps, 2)),
    });
    rows.push({
      runner: `tfjs wasm, ${flags.workers} workers`,
      size,
      threads: flags.workers,
      ...(await measureDataParallel(size, flags)),
    });
    if (!flags.skipCpu && size === Math.min(...flags.sizes)) {
      await selectBackend('cpu', silentLogger);
      rows.push({
        runner: 'tfjs cpu',
        size,
        threads: 1,
        ...(await measureInProcess(size, Math.min(2, flags.batch), flags.cpuSteps, 0)),
      });
    }
    for (const row of rows.filter((r) => r.size === size))
      logger.info(`   ${row.runner}: ${row.imagesPerSecond.toFixed(2)} img/s`);
  }

  printTable(rows, notes);
  await writeJsonAtomic(resolve(REPO, '.bench/train-results.json'), { flags, rows, notes, wasm: wasmVersion });
}

function printTable(rows: Row[], notes: string[]): void {
  const lines = [
    '| runner | size | threads | img/s | img/CPU-s | vs PyTorch, same threads (wall) | vs PyTorch, same threads (CPU) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const torch =
      rows.find((r) => r.size === row.size && r.runner.startsWith('pytorch') && r.threads === row.threads) ??
      rows.find((r) => r.size === row.size && r.runner.startsWith('pytorch'));
    const ratio = (a: number, b: number | undefined) => (b ? `${((100 * a) / b).toFixed(0)}%` : 'n/a');
    lines.push(
      `| ${row.runner} | ${row.size} | ${row.threads} | ${row.imagesPerSecond.toFixed(2)} | ${row.imagesPerCpuSecond.toFixed(2)} | ${ratio(row.imagesPerSecond, torch?.imagesPerSecond)} | ${ratio(row.imagesPerCpuSecond, torch?.imagesPerCpuSecond)} |`,
    );
  }
  process.stdout.write(`\n${lines.join('\n')}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:train failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});

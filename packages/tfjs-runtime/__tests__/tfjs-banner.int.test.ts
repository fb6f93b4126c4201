import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// Two processes that each load tfjs twice (main and worker thread) under tsx: seconds on a busy machine.
jest.setTimeout(120_000);

const BANNER = 'Hi, looks like you are running TensorFlow.js in Node.js';

function runProbe(mode: 'runtime' | 'raw'): string {
  const result = spawnSync(
    process.execPath,
    ['--require', require.resolve('tsx/cjs'), join(__dirname, 'fixtures', 'banner-probe.ts'), mode],
    { encoding: 'utf8', timeout: 110_000 },
  );
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`banner probe (${mode}) exited with ${result.status}:\n${output}`);
  return output;
}

describe('the tfjs "install tfjs-node" banner', () => {
  it('is printed by tfjs itself when a process uses the cpu backend directly (the probe sees it)', () => {
    const output = runProbe('raw');
    expect(output).toContain('worker thread done');
    expect(output.split(BANNER).length - 1).toBe(2); // main thread and worker thread
  });

  it('is silenced in the main thread and in worker threads once selectBackend has run', () => {
    const output = runProbe('runtime');
    expect(output).toContain('main thread done');
    expect(output).toContain('worker thread done');
    expect(output).not.toContain(BANNER);
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createMemoryLogger, UserError } from '@wms/core';
import { loadTfjsNode, selectBackend, WASM_DIR_ENV } from '../src';

// tfjs-node is deliberately not a dependency; where it is installed these expectations flip.
const tfjsNodeInstalled = loadTfjsNode().loaded;

describe('selectBackend', () => {
  it('auto picks the best loadable backend, logs it and says why the others were skipped', async () => {
    const logger = createMemoryLogger();
    const info = await selectBackend('auto', logger);
    expect(info.name).toBe(tfjsNodeInstalled ? 'tensorflow' : 'wasm');
    expect(tf.getBackend()).toBe(info.name);
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    if (!tfjsNodeInstalled) expect(info.reason).toMatch(/tensorflow unavailable .*@tensorflow\/tfjs-node/);
    expect(logger.messages('info').join('\n')).toContain(`Training backend: ${info.name}`);
  });

  it('forces cpu when asked', async () => {
    const info = await selectBackend('cpu', createMemoryLogger());
    expect(info).toMatchObject({ name: 'cpu', threads: 1 });
    expect(info.reason).toMatch(/^forced/);
    expect(tf.getBackend()).toBe('cpu');
  });

  // Needs a backend that cannot load: tensorflow is one only where tfjs-node is absent (reported as skipped otherwise).
  const itWithoutTfjsNode = tfjsNodeInstalled ? it.skip : it;
  itWithoutTfjsNode('fails with a UserError when a forced backend cannot load (tfjs-node absent)', async () => {
    await expect(selectBackend('tensorflow', createMemoryLogger())).rejects.toThrow(UserError);
    await expect(selectBackend('tensorflow', createMemoryLogger())).rejects.toThrow(/tfjs-node/);
  });

  it('rejects an unknown backend name', async () => {
    await expect(selectBackend('gpu' as never, createMemoryLogger())).rejects.toThrow(/Unknown backend 'gpu'.*/);
  });

  it('names the wasm folder that lacks the binaries', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'wms-wasm-'));
    await expect(selectBackend('wasm', createMemoryLogger(), { wasmDir: empty })).rejects.toThrow(
      new RegExp(`wasmDir option points at '${empty}', which lacks tfjs-backend-wasm.wasm`),
    );
    process.env[WASM_DIR_ENV] = empty;
    try {
      await expect(selectBackend('wasm', createMemoryLogger())).rejects.toThrow(/WMS_TFJS_WASM_DIR points at/);
    } finally {
      delete process.env[WASM_DIR_ENV];
    }
  });
});

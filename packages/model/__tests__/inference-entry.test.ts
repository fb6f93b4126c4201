/**
 * `@wms/model/inference` is what the quality gate (and the model server to come) load: bundled on
 * its own, none of the training code may survive in it, so such a bundle needs no worker entries.
 */
import { join } from 'node:path';
import { build } from 'esbuild';

jest.setTimeout(60_000);

const REPO_ROOT = join(__dirname, '../../..');

async function bundledCode(entry: string): Promise<string> {
  const result = await build({
    absWorkingDir: REPO_ROOT,
    tsconfig: join(REPO_ROOT, 'tsconfig.json'),
    stdin: { contents: `module.exports = require(${JSON.stringify(entry)});`, resolveDir: REPO_ROOT, loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
    // Third-party code is not the question here, and inlining tfjs takes seconds.
    packages: 'external',
    plugins: [
      {
        // Workspace packages are inlined (jest's resolver maps @wms/* to their sources).
        name: 'inline-workspace',
        setup(b) {
          b.onResolve({ filter: /^@wms\// }, (args) => ({ path: require.resolve(args.path) }));
        },
      },
    ],
  });
  return result.outputFiles[0]!.text;
}

describe('the inference entry point', () => {
  it('bundles loading, evaluation and prediction without any training code', async () => {
    const code = await bundledCode('./packages/model/src/inference.ts');
    for (const used of ['evaluateModelDir', 'predictToFiles', 'readInferenceSpec', 'selectBackend']) {
      expect(code).toContain(`function ${used}(`);
    }
    for (const training of [
      'function trainModel(',
      'function runTrainingLoop(',
      'function segmentationLoss(',
      'function createDataParallelTrainer(',
      '"data-parallel-worker.js"',
      '"replica-loss.js"',
    ]) {
      expect(code).not.toContain(training);
    }
  });

  it('the full entry does carry them (so the check above can see training code)', async () => {
    const code = await bundledCode('./packages/model/src/index.ts');
    expect(code).toContain('function trainModel(');
    expect(code).toContain('"data-parallel-worker.js"');
    expect(code).toContain('"replica-loss.js"');
  });
});

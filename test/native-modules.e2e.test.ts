/**
 * Proves how native modules travel (docs/decisions/native-modules.md): a committed bundle, copied
 * where no node_modules exists, installs the pinned sharp into RUNNER_TOOL_CACHE on first use,
 * reuses it afterwards, and fails with one clear annotation when the registry is unreachable.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eNodes, REPO_ROOT, runActionBundle } from '@wms/test-support';

interface Pin {
  name: string;
  version: string;
}

/** An action whose bundle needs sharp; data-qa is the smallest. */
function actionNeedingSharp(): { action: string; sharp: Pin } | undefined {
  for (const action of ['data-qa', 'quality-gate', 'train']) {
    const file = join(REPO_ROOT, 'actions', action, 'dist', 'native-modules.json');
    if (!existsSync(file) || !existsSync(join(REPO_ROOT, 'actions', action, 'action.yml'))) continue;
    const sharp = (JSON.parse(readFileSync(file, 'utf8')) as Pin[]).find((p) => p.name === 'sharp');
    if (sharp) return { action, sharp };
  }
  return undefined;
}

const target = actionNeedingSharp();
const describeIfBundle = target ? describe : describe.skip;

describeIfBundle.each(e2eNodes())('native modules of a committed bundle on %s', (node) => {
  const { action, sharp } = target!;
  let toolCache: string;
  beforeEach(() => {
    toolCache = mkdtempSync(join(tmpdir(), 'wms-e2e-cold-cache-'));
  });
  afterEach(() => rmSync(toolCache, { recursive: true, force: true }));

  it('installs the pinned sharp into an empty tool cache once, then reuses it', async () => {
    // No inputs: the action loads every module, then reports its first missing input.
    const cold = await runActionBundle({ action, node, inputs: {}, env: { RUNNER_TOOL_CACHE: toolCache } });
    expect(cold.stdout).toContain(`Installing sharp@${sharp.version}`);
    expect(cold.stdout + cold.stderr).not.toMatch(/Cannot find module|Internal error/);
    expect(cold.annotations.some((a) => a.level === 'error')).toBe(true);
    const installed = join(toolCache, 'wms-native', `sharp@${sharp.version}-${process.platform}-${process.arch}`);
    const manifest = JSON.parse(readFileSync(join(installed, 'node_modules', 'sharp', 'package.json'), 'utf8')) as Pin;
    expect(manifest.version).toBe(sharp.version);

    const warm = await runActionBundle({ action, node, inputs: {}, env: { RUNNER_TOOL_CACHE: toolCache } });
    expect(warm.stdout).not.toContain('Installing sharp');
    expect(warm.exitCode).toBe(cold.exitCode);
  }, 240_000);

  it('fails with one annotation that says what to do when the registry is unreachable', async () => {
    const r = await runActionBundle({
      action,
      node,
      inputs: {},
      env: { RUNNER_TOOL_CACHE: toolCache, npm_config_registry: 'http://127.0.0.1:9/' },
    });
    expect(r.exitCode).toBe(1);
    const error = r.annotations.find((a) => a.level === 'error');
    expect(error?.title).toBe('Native module setup failed');
    expect(error?.message).toContain(`could not install sharp@${sharp.version}`);
    expect(error?.message).toContain('WMS_NATIVE_CACHE');
    // Nothing half-installed is left to be mistaken for a good copy next time.
    expect(
      existsSync(join(toolCache, 'wms-native', `sharp@${sharp.version}-${process.platform}-${process.arch}`)),
    ).toBe(false);
  }, 240_000);
});

if (!target) {
  it.skip('native modules: no committed action bundle needs sharp yet', () => undefined);
}

/**
 * `pnpm build`: bundles every actions/<name>/src/index.ts into its committed dist/ (esbuild;
 * why: docs/decisions/bundling.md). `pnpm build <name>...` builds only those actions.
 */
import { relative } from 'node:path';
import { bundleAction, listActionDirs, REPO_ROOT } from './lib/bundle-action';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const dirs = listActionDirs().filter((d) => only.length === 0 || only.some((n) => d.endsWith(`/actions/${n}`)));
  if (only.length > 0 && dirs.length !== only.length) {
    throw new Error(
      `unknown action in ${only.join(', ')}: actions with src/index.ts are ${listActionDirs()
        .map((d) => relative(REPO_ROOT, d))
        .join(', ')}`,
    );
  }
  let total = 0;
  for (const dir of dirs) {
    const started = Date.now();
    const result = await bundleAction(dir);
    total += result.bytes;
    const pins = result.pins.map((p) => `${p.name}@${p.version}`).join(', ') || 'none';
    process.stdout.write(
      `${result.action}/dist: ${(result.bytes / 1e6).toFixed(2)} MB in ${result.files.length} files, native: ${pins} (${Date.now() - started} ms)\n`,
    );
  }
  process.stdout.write(`${dirs.length} actions bundled, ${(total / 1e6).toFixed(2)} MB in total\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

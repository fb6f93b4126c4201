/**
 * Entrypoint for @github/local-action, which runs an action from its TypeScript source and needs
 * a module exporting `run()` that does not exit on import. Our actions' src/index.ts call
 * runAction() on import and exit the process when done, so this entry loads the action named by
 * WMS_ACTION and turns its exit into the resolution of run(). Usage: docs/WORKFLOWS.md,
 * "Running an action from source".
 */
import { join } from 'node:path';

export function run(): Promise<void> {
  const action = process.env.WMS_ACTION;
  if (!action) throw new Error('set WMS_ACTION to the action folder name, e.g. WMS_ACTION=data-qa');
  return new Promise((resolve) => {
    const exit = process.exit;
    process.exit = ((code?: number) => {
      process.exitCode = code ?? 0;
      process.exit = exit;
      resolve();
    }) as typeof process.exit;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(join(__dirname, '..', 'actions', action, 'src', 'index.ts'));
  });
}

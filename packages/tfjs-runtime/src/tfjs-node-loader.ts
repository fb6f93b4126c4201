import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The optional native package; never a dependency in package.json (its install downloads libtensorflow). */
export const TFJS_NODE_PACKAGE = '@tensorflow/tfjs-node';

/** Env variable naming a folder whose node_modules holds an installed @tensorflow/tfjs-node. */
export const TFJS_NODE_DIR_ENV = 'WMS_TFJS_NODE_DIR';

export type TfjsNodeLoad = { loaded: true; version: string } | { loaded: false; reason: string };

/**
 * Loads @tensorflow/tfjs-node if it is installed, which registers the 'tensorflow' backend.
 * The name goes through createRequire so esbuild/ncc leave it external instead of failing the
 * bundle or inlining a native addon. It is looked up from $WMS_TFJS_NODE_DIR (where the train
 * action installs it into a cache) and then from this module's own resolution paths.
 */
export function loadTfjsNode(): TfjsNodeLoad {
  const bases = [process.env[TFJS_NODE_DIR_ENV], __dirname].filter((b): b is string => Boolean(b));
  const failures: string[] = [];
  for (const base of bases) {
    const requireFrom = createRequire(join(base, 'noop.js'));
    let resolved: string;
    try {
      resolved = requireFrom.resolve(TFJS_NODE_PACKAGE);
    } catch {
      failures.push(`not installed near ${base}`);
      continue;
    }
    try {
      const tfnode = requireFrom(resolved) as { version?: Record<string, string> };
      return { loaded: true, version: tfnode.version?.['tfjs-node'] ?? 'unknown' };
    } catch (error) {
      // Typically libtensorflow.so missing: the install script could not download it.
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      failures.push(`found at ${resolved} but failed to load: ${message}`);
    }
  }
  return { loaded: false, reason: `${TFJS_NODE_PACKAGE} ${failures.join('; ')}` };
}

/**
 * Makes `require('sharp')` in a bundled action find the copy in the native-module cache. The
 * bundle has no node_modules beside it, so Node's own lookup fails; we answer those requests
 * (and their subpaths, e.g. 'sharp/package.json') from the cache. Node's lookup is tried first,
 * so in the repo, with node_modules, nothing changes.
 */
import Module from 'node:module';
import { join } from 'node:path';
import { isInstalled, nativeModuleDir, type NativeModulePin } from './native-install';

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
interface ModuleInternals {
  _resolveFilename: ResolveFilename;
}

function pinFor(request: string, pins: readonly NativeModulePin[]): NativeModulePin | undefined {
  return pins.find((p) => request === p.name || request.startsWith(`${p.name}/`));
}

let installed: { pins: NativeModulePin[]; cacheRoot: string } | undefined;

/**
 * Hooks module resolution for `pins`. Idempotent: later calls add pins. Returns a function that
 * removes the hook (for tests).
 */
export function registerNativeResolver(pins: readonly NativeModulePin[], cacheRoot: string): () => void {
  if (installed) {
    installed.pins.push(...pins.filter((p) => !installed?.pins.some((q) => q.name === p.name)));
    return () => undefined;
  }
  const state = { pins: [...pins], cacheRoot };
  installed = state;
  const internals = Module as unknown as ModuleInternals;
  const original = internals._resolveFilename;
  internals._resolveFilename = function resolveWithNativeCache(request, parent, isMain, options) {
    try {
      return original.call(this, request, parent, isMain, options);
    } catch (notFound) {
      const pin = pinFor(request, state.pins);
      const dir = pin && nativeModuleDir(pin, state.cacheRoot);
      if (!pin || !dir || !isInstalled(pin, dir)) throw notFound;
      // Resolve as if required from a file inside the cache dir, so the package's own
      // dependencies (@img/sharp-linux-x64, its libvips) resolve from there too.
      return Module.createRequire(join(dir, 'index.js')).resolve(request);
    }
  };
  return () => {
    internals._resolveFilename = original;
    installed = undefined;
  };
}

/**
 * The first thing every bundled action runs (scripts/build-actions.ts generates the call with
 * the pins it found while bundling): install the required native modules into the tool cache and
 * hook `require` so the bundle finds them. Failures become one ::error:: line and exit code 1,
 * because nothing of the action has loaded yet that could report them.
 */
import { describeFailure } from '@wms/core';
import { ensureNativeModule, nativeCacheRoot, type NativeInstaller, type NativeModulePin } from './native-install';
import { registerNativeResolver } from './native-resolver';

export interface PrepareNativeModulesOptions {
  env?: NodeJS.ProcessEnv;
  install?: NativeInstaller;
  log?: (line: string) => void;
}

/** Returns false (after reporting) when a required module could not be installed. */
export function prepareNativeModules(pins: readonly NativeModulePin[], o: PrepareNativeModulesOptions = {}): boolean {
  const cacheRoot = nativeCacheRoot(o.env ?? process.env);
  const log = o.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  try {
    for (const pin of pins.filter((p) => !p.optional)) {
      ensureNativeModule(pin, { cacheRoot, install: o.install, log });
    }
  } catch (thrown) {
    const message = describeFailure(thrown).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    log(`::error title=Native module setup failed::${message}`);
    process.exitCode = 1;
    return false;
  }
  registerNativeResolver(pins, cacheRoot);
  return true;
}

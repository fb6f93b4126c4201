/**
 * Installs one pinned native package (sharp) into a cache directory with npm, once per
 * machine/tool cache: into a private temp directory first, then renamed into place, so parallel
 * steps never see a half-installed copy and the loser of a race just uses the winner's copy.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { UserError } from '@wms/core';

export interface NativeModulePin {
  /** npm package name, e.g. 'sharp'. */
  name: string;
  /** Exact version, taken from the lockfile at build time. */
  version: string;
  /**
   * Optional modules are used when already present in the cache and never installed here, so a
   * guarded `require` falls back (tfjs-node → wasm backend) instead of paying for a download.
   */
  optional?: boolean;
}

/** Installs `pin` into `dir` (which does not exist yet); injectable so tests run without npm. */
export type NativeInstaller = (pin: NativeModulePin, dir: string) => void;

const COMPLETE_MARKER = '.wms-complete';

/** Where pins are cached: WMS_NATIVE_CACHE, else the runner's tool cache, else its temp dir. */
export function nativeCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WMS_NATIVE_CACHE) return env.WMS_NATIVE_CACHE;
  const base = env.RUNNER_TOOL_CACHE || env.RUNNER_TEMP || tmpdir();
  return join(base, 'wms-native');
}

/** One directory per package, version and platform (sharp uses N-API, so no Node ABI in the key). */
export function nativeModuleDir(pin: NativeModulePin, cacheRoot: string): string {
  return join(cacheRoot, `${pin.name.replace('/', '+')}@${pin.version}-${process.platform}-${process.arch}`);
}

export function isInstalled(pin: NativeModulePin, dir: string): boolean {
  return existsSync(join(dir, COMPLETE_MARKER)) && existsSync(join(dir, 'node_modules', pin.name, 'package.json'));
}

/** npm that ships with the running node (official layout), else the one on PATH. */
function npmCommand(): { file: string; args: string[] } {
  const bundled = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  return existsSync(bundled) ? { file: process.execPath, args: [bundled] } : { file: 'npm', args: [] };
}

/** The real installer: `npm install --prefix <dir> name@version`, scripts off (sharp ships prebuilt binaries). */
export const npmInstaller: NativeInstaller = (pin, dir) => {
  const npm = npmCommand();
  mkdirSync(dir, { recursive: true });
  // A package.json of its own stops npm from walking up into some enclosing project.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'wms-native-cache', private: true }));
  const args = [
    ...npm.args,
    'install',
    '--no-save',
    '--no-package-lock',
    '--no-audit',
    '--no-fund',
    '--ignore-scripts',
    '--omit=dev',
    '--loglevel=error',
    // Fail in about a minute on a runner without registry access instead of npm's 5-minute default.
    '--fetch-timeout=30000',
    '--fetch-retries=1',
    '--fetch-retry-mintimeout=2000',
    '--fetch-retry-maxtimeout=10000',
    '--prefix',
    dir,
    `${pin.name}@${pin.version}`,
  ];
  execFileSync(npm.file, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000, encoding: 'utf8' });
};

function installedVersion(pin: NativeModulePin, dir: string): string | undefined {
  const file = join(dir, 'node_modules', pin.name, 'package.json');
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version;
}

function describeInstallFailure(thrown: unknown): string {
  const e = thrown as { stderr?: string; message?: string; code?: string };
  if (e.code === 'ENOENT')
    return 'npm was not found (not beside this node, not on PATH); install Node.js with npm on the runner';
  const detail = (e.stderr || e.message || String(thrown)).trim().split('\n').slice(-8).join('\n');
  return detail;
}

/**
 * Makes sure `pin` is installed under `cacheRoot` and returns its directory (holding
 * node_modules/<name>). Synchronous on purpose: it runs before the action's modules load.
 */
export function ensureNativeModule(
  pin: NativeModulePin,
  o: { cacheRoot: string; install?: NativeInstaller; log?: (line: string) => void },
): string {
  const dir = nativeModuleDir(pin, o.cacheRoot);
  if (isInstalled(pin, dir)) return dir;
  const log = o.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
  const started = Date.now();
  log(`Installing ${pin.name}@${pin.version} into ${dir} (first use with this tool cache)`);
  try {
    (o.install ?? npmInstaller)(pin, staging);
    const version = installedVersion(pin, staging);
    if (version !== pin.version) {
      throw new Error(`npm installed ${pin.name}@${version ?? 'nothing'} instead of ${pin.version}`);
    }
    writeFileSync(join(staging, COMPLETE_MARKER), `${pin.name}@${pin.version}\n`);
    try {
      renameSync(staging, dir);
    } catch (thrown) {
      // Another step finished first: its copy is as good as ours.
      if (!isInstalled(pin, dir)) throw thrown;
    }
  } catch (thrown) {
    throw new UserError(
      `could not install ${pin.name}@${pin.version} into ${dir}, which this action needs at run time: ${describeInstallFailure(thrown)}`,
      {
        hint:
          `The runner must reach the npm registry once per tool cache (a mirror works through npm_config_registry). ` +
          `Offline: run \`npm install --prefix ${dir} ${pin.name}@${pin.version}\` on a connected machine of the same OS, ` +
          `create an empty ${COMPLETE_MARKER} file in it and point WMS_NATIVE_CACHE at its parent.`,
        cause: thrown,
      },
    );
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  log(`Installed ${pin.name}@${pin.version} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

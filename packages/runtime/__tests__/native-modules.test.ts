/**
 * The native-module cache without npm: a fake installer writes a tiny package, so these tests
 * check the caching, the atomic hand-over, the error a user sees and the require hook.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@wms/core';
import {
  ensureNativeModule,
  isInstalled,
  nativeCacheRoot,
  nativeModuleDir,
  prepareNativeModules,
  type NativeInstaller,
  type NativeModulePin,
} from '../src';

const pin: NativeModulePin = { name: 'wms-fake-native', version: '1.2.3' };

function fakeInstaller(version = pin.version, calls: string[] = []): NativeInstaller {
  return (p, dir) => {
    calls.push(dir);
    const pkg = join(dir, 'node_modules', p.name);
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: p.name, version, main: 'index.js' }));
    writeFileSync(join(pkg, 'index.js'), `module.exports = { loadedFrom: __dirname };`);
  };
}

let cacheRoot: string;
const quiet = (): void => undefined;
beforeEach(() => {
  cacheRoot = mkdtempSync(join(tmpdir(), 'wms-native-test-'));
});
afterEach(() => rmSync(cacheRoot, { recursive: true, force: true }));

describe('nativeCacheRoot', () => {
  it('prefers WMS_NATIVE_CACHE, then the tool cache, then the runner temp dir', () => {
    expect(nativeCacheRoot({ WMS_NATIVE_CACHE: '/x', RUNNER_TOOL_CACHE: '/t' })).toBe('/x');
    expect(nativeCacheRoot({ RUNNER_TOOL_CACHE: '/t', RUNNER_TEMP: '/r' })).toBe(join('/t', 'wms-native'));
    expect(nativeCacheRoot({ RUNNER_TEMP: '/r' })).toBe(join('/r', 'wms-native'));
  });
});

describe('ensureNativeModule', () => {
  it('installs once and reuses the cached copy afterwards', () => {
    const calls: string[] = [];
    const dir = ensureNativeModule(pin, { cacheRoot, install: fakeInstaller(pin.version, calls), log: quiet });
    expect(dir).toBe(nativeModuleDir(pin, cacheRoot));
    expect(isInstalled(pin, dir)).toBe(true);
    ensureNativeModule(pin, { cacheRoot, install: fakeInstaller(pin.version, calls), log: quiet });
    expect(calls).toHaveLength(1);
    // It installed into a staging dir, never straight into the final one.
    expect(calls[0]).not.toBe(dir);
  });

  it('rejects a different version than the pin, leaving nothing behind', () => {
    const attempt = () => ensureNativeModule(pin, { cacheRoot, install: fakeInstaller('9.9.9'), log: quiet });
    expect(attempt).toThrow(UserError);
    expect(attempt).toThrow(/wms-fake-native@9\.9\.9 instead of 1\.2\.3/);
    expect(isInstalled(pin, nativeModuleDir(pin, cacheRoot))).toBe(false);
  });

  it('explains a failed install with the directory and what to do offline', () => {
    const failing: NativeInstaller = () => {
      throw Object.assign(new Error('Command failed'), { stderr: 'npm error network ETIMEDOUT registry.npmjs.org' });
    };
    let error: unknown;
    try {
      ensureNativeModule(pin, { cacheRoot, install: failing, log: quiet });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain('ETIMEDOUT');
    expect((error as UserError).message).toContain(nativeModuleDir(pin, cacheRoot));
    expect((error as UserError).hint).toMatch(/WMS_NATIVE_CACHE/);
  });

  it('uses the copy of a step that finished first instead of failing', () => {
    const dir = nativeModuleDir(pin, cacheRoot);
    const racing: NativeInstaller = (p, staging) => {
      fakeInstaller()(p, staging);
      // Another process completes the same install while this one is still staging.
      fakeInstaller()(p, dir);
      writeFileSync(join(dir, '.wms-complete'), '');
    };
    expect(ensureNativeModule(pin, { cacheRoot, install: racing, log: quiet })).toBe(dir);
    expect(isInstalled(pin, dir)).toBe(true);
  });
});

describe('prepareNativeModules + resolver', () => {
  it('makes require() find a package that only exists in the cache (real Node module system)', () => {
    ensureNativeModule(pin, { cacheRoot, install: fakeInstaller(), log: quiet });
    // Jest has its own require, so the hook is exercised in a plain Node child process.
    const script = [
      `const { prepareNativeModules } = require(${JSON.stringify(join(__dirname, '..', 'src'))});`,
      `const ok = prepareNativeModules([${JSON.stringify(pin)}], { env: { WMS_NATIVE_CACHE: ${JSON.stringify(cacheRoot)} } });`,
      `process.stdout.write(JSON.stringify({ ok, loadedFrom: require('wms-fake-native').loadedFrom }));`,
    ].join('\n');
    const tsx = join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'tsx');
    const out = JSON.parse(execFileSync(tsx, ['-e', script], { cwd: cacheRoot, encoding: 'utf8' })) as {
      ok: boolean;
      loadedFrom: string;
    };
    expect(out.ok).toBe(true);
    expect(out.loadedFrom.startsWith(nativeModuleDir(pin, cacheRoot))).toBe(true);
  });

  it('does not install optional modules, so a guarded require falls back', () => {
    const optional: NativeModulePin = { name: 'wms-fake-optional', version: '1.0.0', optional: true };
    const calls: string[] = [];
    const env = { WMS_NATIVE_CACHE: cacheRoot };
    expect(prepareNativeModules([optional], { env, install: fakeInstaller('1.0.0', calls), log: quiet })).toBe(true);
    expect(calls).toHaveLength(0);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(() => require('wms-fake-optional')).toThrow(/Cannot find module/);
  });

  it('reports a failed install as one ::error:: line and exit code 1', () => {
    const lines: string[] = [];
    const failing: NativeInstaller = () => {
      throw new Error('no network\nsecond line');
    };
    const before = process.exitCode;
    try {
      const ok = prepareNativeModules([pin], {
        env: { WMS_NATIVE_CACHE: cacheRoot },
        install: failing,
        log: (l) => lines.push(l),
      });
      expect(ok).toBe(false);
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = before;
    }
    const error = lines.find((l) => l.startsWith('::error'));
    expect(error).toMatch(/^::error title=Native module setup failed::could not install wms-fake-native@1\.2\.3/);
    expect(error).not.toContain('\n');
  });
});

import { promises as fsp } from 'node:fs';
import { join, relative } from 'node:path';
import { UserError } from '@wms/core';

/** Names become directory names in the store, so they must not escape it or collide with ours. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function assertSafeName(kind: string, name: string): string {
  if (!SAFE_NAME.test(name) || name.includes('..')) {
    throw new UserError(
      `Invalid ${kind} ${JSON.stringify(name)}: expected 1-128 characters of letters, digits, '.', '_' or '-', starting with a letter or digit.`,
    );
  }
  return name;
}

export interface LocalStoreLayout {
  root: string;
  runDir(runId: string): string;
  runFile(runId: string): string;
  modelDir(model: string): string;
  modelFile(model: string): string;
  modelLock(model: string): string;
  versionDir(model: string, version: string): string;
}

export function localStoreLayout(root: string): LocalStoreLayout {
  return {
    root,
    runDir: (runId) => join(root, 'runs', assertSafeName('run id', runId)),
    runFile: (runId) => join(root, 'runs', assertSafeName('run id', runId), 'run.json'),
    modelDir: (model) => join(root, 'models', assertSafeName('model name', model)),
    modelFile: (model) => join(root, 'models', assertSafeName('model name', model), 'registry.json'),
    modelLock: (model) => join(root, 'models', assertSafeName('model name', model), 'model.lock'),
    versionDir: (model, version) => join(root, 'models', assertSafeName('model name', model), 'versions', version),
  };
}

/** Every regular file under `dir`, as paths relative to it with '/' separators. */
export async function listFilesRecursive(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string): Promise<void> => {
    const entries = await fsp.readdir(current, { withFileTypes: true });
    for (const entry of entries) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) out.push(relative(dir, full).split('\\').join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}

export async function assertDirectory(path: string, what: string): Promise<void> {
  const stat = await fsp.stat(path).catch(() => null);
  if (!stat?.isDirectory()) {
    throw new UserError(`${what} ${JSON.stringify(path)} is not a directory.`, {
      hint: 'Expected a model directory holding model.json, weights.bin and metrics.json.',
    });
  }
}

/** Joins a server-provided relative path below `dir`, refusing any that would escape it. */
export function safeJoin(dir: string, rel: string): string {
  const parts = rel.split('/');
  if (rel === '' || rel.startsWith('/') || parts.some((p) => p === '..' || p === '')) {
    throw new Error(`refusing artifact path ${JSON.stringify(rel)}: it would leave ${dir}`);
  }
  return join(dir, ...parts);
}

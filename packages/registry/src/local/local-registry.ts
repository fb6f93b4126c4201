import { promises as fsp } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError, writeJsonAtomic } from '@wms/core';
import { ChampionChangedError } from '../errors';
import {
  metricsToTags,
  VERSION_TAGS,
  type ChampionInfo,
  type ModelRegistry,
  type ModelVersionInfo,
  type PromoteOptions,
  type PromotionRecord,
  type RegisterVersionInput,
} from '../types';
import { withFileLock, type FileLockOptions } from './file-lock';
import { assertDirectory, assertSafeName, listFilesRecursive, type LocalStoreLayout } from './local-paths';

/** registry.json of one model: the whole registry state, replaced atomically under the model lock. */
interface LocalModelState {
  name: string;
  champion: string | null;
  versions: ModelVersionInfo[];
}

async function readState(layout: LocalStoreLayout, model: string): Promise<LocalModelState> {
  const file = layout.modelFile(model);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { name: model, champion: null, versions: [] };
    throw error;
  }
  try {
    return JSON.parse(text) as LocalModelState;
  } catch (error) {
    throw new UserError(`The local registry file ${file} is not valid JSON.`, {
      hint: 'It is only written atomically by wms; restore it from backup or delete the model folder to start over.',
      cause: error,
    });
  }
}

async function copyTree(from: string, to: string): Promise<void> {
  for (const file of await listFilesRecursive(from)) {
    await fsp.mkdir(join(to, file, '..'), { recursive: true });
    await fsp.copyFile(join(from, file), join(to, file));
  }
}

/**
 * The embedded registry: one directory per model with registry.json and the copied artifacts of
 * every version. Changes happen under an O_EXCL lock file and are written atomically, so two
 * processes cannot both promote and a crash never leaves a torn registry.json.
 */
export function createLocalModelRegistry(layout: LocalStoreLayout, lockOptions: FileLockOptions = {}): ModelRegistry {
  const locked = async <T>(model: string, fn: () => Promise<T>): Promise<T> => {
    await fsp.mkdir(layout.modelDir(model), { recursive: true });
    return withFileLock(layout.modelLock(model), fn, lockOptions);
  };

  return {
    async getChampion(model: string): Promise<ChampionInfo | null> {
      const state = await readState(layout, model);
      return state.versions.find((v) => v.version === state.champion) ?? null;
    },

    async registerVersion(input: RegisterVersionInput): Promise<ModelVersionInfo> {
      assertSafeName('model name', input.model);
      await assertDirectory(input.artifactsDir, 'Model artifacts directory');
      // Copy outside the lock into a temp folder; only the rename into place happens under it.
      const staging = join(layout.modelDir(input.model), 'versions', `.staging-${randomBytes(6).toString('hex')}`);
      await copyTree(input.artifactsDir, staging);
      try {
        return await locked(input.model, async () => {
          const state = await readState(layout, input.model);
          const last = state.versions.reduce((max, v) => Math.max(max, Number(v.version)), 0);
          const version = String(last + 1);
          const target = layout.versionDir(input.model, version);
          await fsp.rm(target, { recursive: true, force: true });
          await fsp.rename(staging, target);
          const info: ModelVersionInfo = {
            model: input.model,
            version,
            runId: input.runId,
            // Relative, so the store still works after the working directory moves.
            source: relative(layout.root, target),
            metrics: { ...input.metrics },
            tags: { ...input.tags, ...metricsToTags(input.metrics), [VERSION_TAGS.status]: 'registered' },
            createdAt: new Date().toISOString(),
            status: 'registered',
          };
          state.versions.push(info);
          await writeJsonAtomic(layout.modelFile(input.model), state);
          return info;
        });
      } finally {
        await fsp.rm(staging, { recursive: true, force: true });
      }
    },

    promote(model: string, version: string, options: PromoteOptions): Promise<PromotionRecord> {
      return locked(model, async () => {
        const state = await readState(layout, model);
        // Compare-and-set: the check and the write happen under the same lock.
        if (state.champion !== options.expectedChampionVersion) {
          throw new ChampionChangedError(model, options.expectedChampionVersion, state.champion);
        }
        const next = state.versions.find((v) => v.version === version);
        if (!next) throw new UserError(`Model ${model} has no version ${version} to promote.`);
        const now = new Date().toISOString();
        const previous = state.versions.find((v) => v.version === state.champion);
        if (previous && previous !== next) {
          previous.status = 'archived';
          Object.assign(previous.tags, {
            [VERSION_TAGS.status]: 'archived',
            [VERSION_TAGS.archivedAt]: now,
            [VERSION_TAGS.replacedBy]: version,
          });
        }
        next.status = 'champion';
        Object.assign(next.tags, options.tags, { [VERSION_TAGS.status]: 'champion', [VERSION_TAGS.promotedAt]: now });
        state.champion = version;
        await writeJsonAtomic(layout.modelFile(model), state);
        return { model, version, previousVersion: previous?.version ?? null };
      });
    },

    async history(model: string): Promise<ModelVersionInfo[]> {
      return (await readState(layout, model)).versions;
    },

    async downloadArtifacts(model: string, version: string, destDir: string): Promise<string> {
      const state = await readState(layout, model);
      const info = state.versions.find((v) => v.version === version);
      if (!info) throw new UserError(`Model ${model} has no version ${version} in the local registry ${layout.root}.`);
      const source = isAbsolute(info.source) ? info.source : join(layout.root, info.source);
      await assertDirectory(source, `Artifacts of ${model} version ${version}`);
      await fsp.mkdir(destDir, { recursive: true });
      await copyTree(source, destDir);
      return destDir;
    },
  };
}

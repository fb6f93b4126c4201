/**
 * Save/load in the TF.js layers format (model.json + weights.bin) through our own tf.io
 * IOHandler, so no backend needs tfjs-node's `file://` handler. A model directory appears
 * atomically: everything is written to a temp sibling, then renamed into place, so a crash never
 * leaves a half-written model for the quality gate to pick up.
 */
import { existsSync, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '@wms/core';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

function toBuffer(data: tf.io.WeightData | undefined): Buffer {
  if (data === undefined) return Buffer.alloc(0);
  return Buffer.from(tf.io.CompositeArrayBuffer.join(data));
}

/** An IOHandler that writes model.json + weights.bin into `dir` (already existing). */
export function directoryWriter(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('directoryWriter saves layers models only (got a binary graph topology)');
      }
      const weights = toBuffer(artifacts.weightData);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      };
      const json = JSON.stringify(modelJson);
      await fsp.writeFile(join(dir, WEIGHTS_BIN), weights);
      await fsp.writeFile(join(dir, MODEL_JSON), json);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weights.length,
        },
      };
    },
  };
}

/** An IOHandler that reads a directory written by `directoryWriter` (or tfjs-node's saver). */
export function directoryReader(dir: string): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const jsonPath = join(dir, MODEL_JSON);
      if (!existsSync(jsonPath)) {
        throw new UserError(`No ${MODEL_JSON} in model directory ${dir}.`, {
          hint: 'Pass the directory that `wms train` (or the train action) wrote.',
        });
      }
      const modelJson = JSON.parse(await fsp.readFile(jsonPath, 'utf8')) as tf.io.ModelJSON;
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of modelJson.weightsManifest ?? []) {
        specs.push(...group.weights);
        for (const path of group.paths) buffers.push(await fsp.readFile(join(dir, path)));
      }
      const joined = Buffer.concat(buffers);
      return {
        modelTopology: modelJson.modelTopology,
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy,
        trainingConfig: modelJson.trainingConfig,
        weightSpecs: specs,
        weightData: joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength),
      };
    },
  };
}

/**
 * Saves `model` plus `extraFiles` (e.g. metrics.json) and `subModels` as one directory, atomically replacing
 * any previous content of `dir`.
 */
export async function saveModel(
  model: tf.LayersModel,
  dir: string,
  extraFiles: Record<string, string | Uint8Array> = {},
  /** Further networks saved in sub-folders of `dir` (e.g. the refine network in `refine/`). */
  subModels: Record<string, tf.LayersModel> = {},
): Promise<void> {
  const parent = dirname(dir);
  await fsp.mkdir(parent, { recursive: true });
  const suffix = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const staging = join(parent, `.${basename(dir)}.${suffix}.tmp`);
  await fsp.mkdir(staging);
  try {
    await model.save(directoryWriter(staging));
    for (const [name, sub] of Object.entries(subModels)) {
      await fsp.mkdir(join(staging, name));
      await sub.save(directoryWriter(join(staging, name)));
    }
    for (const [name, content] of Object.entries(extraFiles)) await fsp.writeFile(join(staging, name), content);
    if (existsSync(dir)) {
      const old = join(parent, `.${basename(dir)}.${suffix}.old`);
      await fsp.rename(dir, old);
      await fsp.rename(staging, dir);
      await fsp.rm(old, { recursive: true, force: true });
    } else {
      await fsp.rename(staging, dir);
    }
  } catch (error) {
    await fsp.rm(staging, { recursive: true, force: true });
    throw error;
  }
}

export async function loadModel(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(directoryReader(dir));
}

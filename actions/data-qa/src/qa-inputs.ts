import { resolve } from 'node:path';
import type { InputValues } from '@wms/core';
import { parseResolution, type QaOptions } from '@wms/dataset';
import type { spec } from './spec';

/** The action's inputs as data-qa options; paths are relative to the workspace. */
export function qaOptionsFromInputs(inputs: InputValues<typeof spec.inputs>, workspace: string): QaOptions {
  return {
    root: resolve(workspace, inputs['dataset-dir']),
    imagesDir: inputs['images-dir'] || undefined,
    masksDir: inputs['masks-dir'] || undefined,
    resolution: {
      minSide: inputs['min-side'],
      maxSide: inputs['max-side'],
      exact: (inputs.resolutions ?? []).map(parseResolution),
    },
    maskTolerance: inputs['mask-tolerance'],
    maxAmbiguousFraction: inputs['max-ambiguous-fraction'],
    emptyMask: inputs['empty-mask'],
    fullMask: inputs['full-mask'],
    maxPixels: inputs['max-pixels'],
    concurrency: inputs.concurrency,
    annotationBase: workspace,
  };
}

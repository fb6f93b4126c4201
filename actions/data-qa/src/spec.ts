import { defineAction } from '@wms/core';

export const spec = defineAction({
  name: 'data-qa',
  inputs: {
    'dataset-dir': {
      kind: 'string',
      default: '.',
      description: 'Dataset root, relative to the workspace. Nothing outside it is read; symlinks are refused.',
    },
    'images-dir': {
      kind: 'string',
      default: '',
      description:
        'Images folder relative to dataset-dir. Empty: WMS/data/training/images, or images/ when only that exists.',
    },
    'masks-dir': {
      kind: 'string',
      default: '',
      description:
        'Masks folder relative to dataset-dir. Empty: WMS/data/training/masks, or masks/ when only that exists.',
    },
    'min-side': {
      kind: 'number',
      integer: true,
      min: 1,
      default: 32,
      description: 'Smallest accepted image side in pixels, as displayed (after EXIF orientation).',
    },
    'max-side': {
      kind: 'number',
      integer: true,
      min: 1,
      default: 10000,
      description: 'Largest accepted image side in pixels, as displayed.',
    },
    resolutions: {
      kind: 'list',
      description:
        'Optional exact sizes WIDTHxHEIGHT (one per line or comma-separated); empty accepts any size within the sides.',
    },
    'mask-tolerance': {
      kind: 'number',
      integer: true,
      min: 0,
      max: 127,
      default: 32,
      description: 'JPEG masks: values within this distance of 0 or 255 count as binary.',
    },
    'max-ambiguous-fraction': {
      kind: 'number',
      min: 0,
      max: 1,
      default: 0.01,
      description: 'JPEG masks fail when more than this fraction of pixels is outside the tolerance.',
    },
    'empty-mask': {
      kind: 'string',
      choices: ['warning', 'error'],
      default: 'warning',
      description: 'Severity of a mask without foreground: warning or error.',
    },
    'full-mask': {
      kind: 'string',
      choices: ['warning', 'error'],
      default: 'warning',
      description: 'Severity of a mask that is foreground everywhere: warning or error.',
    },
    'max-pixels': {
      kind: 'number',
      integer: true,
      min: 1,
      default: 40000000,
      description: 'Files with more pixels are refused before decoding (decompression-bomb guard).',
    },
    concurrency: {
      kind: 'number',
      integer: true,
      min: 1,
      max: 64,
      description: 'Pairs checked at once. Empty: twice the number of CPU cores.',
    },
    'report-dir': {
      kind: 'string',
      default: 'data-qa-report',
      description: 'Where qa-report.json and qa-report.md are written, relative to the workspace.',
    },
  },
  outputs: {
    valid: { description: "'true' when no error was found (warnings allowed)." },
    pairs: { description: 'Number of usable image/mask pairs.' },
    errors: { description: 'Number of errors.' },
    warnings: { description: 'Number of warnings.' },
    'report-path': { description: 'Absolute path of qa-report.json (qa-report.md is beside it).' },
  },
});

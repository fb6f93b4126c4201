import { defineAction } from '@wms/core';

export const spec = defineAction({
  name: 'data-pull',
  inputs: {
    'data-dir': {
      kind: 'string',
      default: 'WMS/data/training',
      description:
        'Folder with the pointer files images.dvc and masks.dvc, relative to the workspace (a git checkout); images/ and masks/ are written beside them.',
    },
    remote: {
      kind: 'string',
      default: '',
      description:
        'Data remote: s3://bucket/prefix or a folder. Empty: the WMS_DATA_REMOTE environment variable, else the default remote in .dvc/config.',
    },
    jobs: {
      kind: 'number',
      integer: true,
      min: 1,
      max: 64,
      default: 8,
      description: 'Objects downloaded at once.',
    },
  },
  outputs: {
    files: {
      description:
        'Files of the data version now in the data folder; 0 when there are no pointer files (nothing to pull).',
    },
    bytes: { description: 'Size of the data version in bytes (from the pointer files).' },
    downloaded: { description: 'Files downloaded (the others were already up to date).' },
    'data-dir': { description: 'Absolute path of the data folder.' },
    version: {
      description: "The pulled folders' DVC ids, e.g. images=<md5>.dir,masks=<md5>.dir; empty when nothing was pulled.",
    },
  },
});

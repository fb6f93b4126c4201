export * from './types';
export { discoverPairs, relativeToRoot, type DiscoverOptions, type DiscoveredPairs } from './discover-pairs';
export { validateDataset } from './validate-dataset';
export { renderQaMarkdown } from './qa-markdown';
export { describeQaFailure } from './qa-failure';
export { writeQaReports, QA_REPORT_JSON, QA_REPORT_MARKDOWN } from './qa-report-files';
export { resolveQaOptions, parseResolution, QA_DEFAULTS, DEFAULT_IMAGES_DIR, DEFAULT_MASKS_DIR } from './qa-options';
export { fingerprintPairs } from './fingerprint';
export { IMAGE_EXTENSIONS } from './file-kinds';
export {
  generateSynthDataset,
  renderSynthPair,
  synthId,
  SYNTH_DEFAULTS,
  SYNTH_KINDS,
  type SynthKind,
  type SynthOptions,
} from './synth/generate-synth';
export {
  applyCorruption,
  duplicateImage,
  CORRUPTION_KINDS,
  type CorruptionKind,
  type ExpectedProblem,
} from './corrupt';

export * from './train-stage';
export * from './gate-stage';
export * from './local-pipeline';
export * from './demo';

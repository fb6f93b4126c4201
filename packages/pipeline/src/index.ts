export * from './train-stage';
export * from './gate-stage';
export * from './local-pipeline';
export * from './demo';
export * from './start-infra-stage';
export * from './stop-infra-stage';

export * from './errors';
export * from './logger';
export * from './retry';
export * from './inputs';
export * from './markdown';
export * from './summary';
export * from './atomic-write';
export * from './progress';

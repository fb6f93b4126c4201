/**
 * Shared test support, imported by name (`@wms/test-support`) from any package's or action's tests:
 * the runner harness for committed bundles, tiny generated datasets, model-directory factories,
 * the real-data switch and the fake MLflow server (for what a real server cannot do on demand).
 */
export * from './action-harness';
export * from './real-data';
export * from './tiny-dataset';
export * from './model-dirs';
export * from './fake-mlflow-server';
export * from './action-context';
export * from './mlflow-server';
export * from './s3rver';
export * from './git-world';

/**
 * The seam between training and experiment tracking: a RunTracker started in the registry
 * package's tracking store (MLflow when a URI is given, else the workspace's local store).
 */
import type { Logger, RunTracker } from '@wms/core';
import { createRegistry } from '@wms/registry';

export interface TrackerRequest {
  trackingUri: string;
  experiment: string;
  workspace: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  tags: Record<string, string>;
}

export type CreateTracker = (request: TrackerRequest) => Promise<RunTracker>;

export const createTracker: CreateTracker = async (request) => {
  const backend = createRegistry({
    trackingUri: request.trackingUri || undefined,
    workdir: request.workspace,
    logger: request.logger,
    env: request.env,
  });
  request.logger.info(`Tracking: ${backend.kind} (${backend.location}), experiment ${request.experiment}`);
  return backend.tracking.startRun({ experiment: request.experiment, tags: request.tags });
};

import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError, type Logger } from '@wms/core';
import type { FileLockOptions } from './local/file-lock';
import { localStoreLayout } from './local/local-paths';
import { createLocalModelRegistry } from './local/local-registry';
import { createLocalTrackingStore } from './local/local-tracking';
import { createArtifactRouter } from './mlflow/artifact-store';
import { createMlflowHttp, mlflowAuthFromEnv, type MlflowAuth } from './mlflow/mlflow-http';
import { createMlflowModelRegistry, type MlflowRegistryOptions } from './mlflow/mlflow-registry';
import { createMlflowTrackingStore } from './mlflow/mlflow-tracking';
import type { RegistryBackend } from './types';

export interface CreateRegistryOptions {
  /**
   * '' / undefined / 'local' → the local store under `<workdir>/.wms/registry`; a file path or
   * file: URI → a local store there; http(s)://… → MLflow. Defaults to MLFLOW_TRACKING_URI.
   */
  trackingUri?: string;
  /**
   * Where `trackingUri` came from, named in hints: "--tracking-uri", "input 'tracking-uri'",
   * "WMS_TRACKING_URI"… Default: "the tracking URI", or MLFLOW_TRACKING_URI when read from env.
   */
  trackingUriSource?: string;
  workdir: string;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  /** MLflow only: alias vs stage registry style and the champion alias name. */
  mlflow?: MlflowRegistryOptions & { attempts?: number; baseDelayMs?: number; timeoutMs?: number };
  /** Local store only: lock timing (tests shorten it). */
  lock?: FileLockOptions;
}

export const DEFAULT_LOCAL_STORE = '.wms/registry';

/** Credentials embedded in the URI (https://user:pass@host) are moved out of it and used as basic auth. */
function splitCredentials(uri: string, auth: MlflowAuth): { baseUrl: string; auth: MlflowAuth } {
  const url = new URL(uri);
  if (!url.username && !url.password) return { baseUrl: uri, auth };
  const withUrlAuth: MlflowAuth = {
    ...auth,
    username: auth.username ?? decodeURIComponent(url.username),
    password: auth.password ?? decodeURIComponent(url.password),
  };
  url.username = '';
  url.password = '';
  return { baseUrl: url.toString(), auth: withUrlAuth };
}

/** The hint for a runner without a tracking server: where the URI can come from. */
export const RUNNER_TRACKING_HINT =
  'Configure the tracking server: the tracking-uri input (--tracking-uri for the wms CLI), e.g. tracking-uri: ${{ vars.MLFLOW_TRACKING_URI }} ' +
  "or the start-infra step's tracking-uri output, or the MLFLOW_TRACKING_URI variable for the job. " +
  'For a throwaway registry that lives only in this job, say so: tracking-uri: local.';

export function createRegistry(options: CreateRegistryOptions): RegistryBackend {
  const fromEnv = options.trackingUri === undefined && options.env.MLFLOW_TRACKING_URI !== undefined;
  const uri = (options.trackingUri ?? options.env.MLFLOW_TRACKING_URI ?? '').trim();
  const uriSource = options.trackingUriSource ?? (fromEnv ? 'MLFLOW_TRACKING_URI' : 'the tracking URI');
  const onRunner = options.env.GITHUB_ACTIONS === 'true';
  if (/^https?:\/\//i.test(uri)) {
    let parsed: { baseUrl: string; auth: MlflowAuth };
    try {
      parsed = splitCredentials(uri, mlflowAuthFromEnv(options.env));
    } catch (error) {
      throw new UserError(`Invalid MLflow tracking URI ${JSON.stringify(uri)} (${uriSource}): not a URL.`, {
        cause: error,
      });
    }
    const http = createMlflowHttp({
      baseUrl: parsed.baseUrl,
      uriSource,
      auth: parsed.auth,
      logger: options.logger,
      attempts: options.mlflow?.attempts,
      baseDelayMs: options.mlflow?.baseDelayMs,
      timeoutMs: options.mlflow?.timeoutMs,
      sleep: options.mlflow?.sleep,
    });
    const artifacts = createArtifactRouter(http, options.logger, options.env);
    return {
      kind: 'mlflow',
      location: http.baseUrl,
      ephemeral: false,
      tracking: createMlflowTrackingStore(http, artifacts, options.logger),
      registry: createMlflowModelRegistry(http, artifacts, options.logger, options.mlflow),
    };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.startsWith('file:')) {
    throw new UserError(`Unsupported tracking URI ${JSON.stringify(uri)} (${uriSource}).`, {
      hint: "Use an http(s):// MLflow server, a directory path, or '' / 'local' for the local store.",
    });
  }
  if (uri === '' && onRunner) {
    // The workspace is thrown away after the job: no champion would ever be found, and every
    // candidate would "improve" on baseline 0 and be promoted.
    throw new UserError(
      'No tracking server configured: on a GitHub runner the local registry in .wms/registry would be deleted with the workspace, so no champion would ever be found and every candidate would be promoted.',
      { hint: RUNNER_TRACKING_HINT },
    );
  }
  let root: string;
  if (uri === '' || uri === 'local') root = resolve(options.workdir, DEFAULT_LOCAL_STORE);
  else if (uri.startsWith('file:')) root = fileURLToPath(uri);
  else root = isAbsolute(uri) ? uri : resolve(options.workdir, uri);
  const layout = localStoreLayout(root);
  return {
    kind: 'local',
    location: root,
    ephemeral: onRunner,
    tracking: createLocalTrackingStore(layout),
    registry: createLocalModelRegistry(layout, options.lock),
  };
}

/**
 * What the quality-gate and promote actions share: the registry inputs (declared once, spread
 * into both specs), building the backend from them, and the GitHub provenance of a promotion.
 */
import { UserError, type Logger } from '@wms/core';
import { createRegistry } from './create-registry';
import type { GithubRunInfo } from './promotion/model-metadata';
import type { RegistryBackend } from './types';

export const REGISTRY_INPUTS = {
  'model-name': { kind: 'string', default: 'water-meter', description: 'Registered model name.' },
  'tracking-uri': {
    kind: 'string',
    default: '',
    description:
      "MLflow server URL (http/https). Empty: $MLFLOW_TRACKING_URI, else the local store in .wms/registry of the workspace; 'local' forces the local store.",
  },
  'registry-style': {
    kind: 'string',
    default: 'alias',
    choices: ['alias', 'stage'],
    description:
      "How the champion is marked in MLflow: the 'champion' alias, or the Production stage (deprecated in MLflow 2.9).",
  },
  'champion-alias': { kind: 'string', default: 'champion', description: 'MLflow alias that marks the champion.' },
  'sync-registry-styles': {
    kind: 'boolean',
    default: false,
    description: 'Also keep the other marker (stage or alias) consistent when promoting.',
  },
  'mlflow-token': {
    kind: 'string',
    default: '',
    secret: true,
    description:
      'Bearer token for MLflow (else $MLFLOW_TRACKING_TOKEN, or basic auth from $MLFLOW_TRACKING_USERNAME/PASSWORD).',
  },
} as const;

export interface RegistryInputValues {
  'tracking-uri': string;
  'registry-style': string;
  'champion-alias': string;
  'sync-registry-styles': boolean;
  'mlflow-token': string;
}

export function registryFromInputs(
  inputs: RegistryInputValues,
  ctx: { workspace: string; env: NodeJS.ProcessEnv; logger: Logger },
): RegistryBackend {
  const env = inputs['mlflow-token'] ? { ...ctx.env, MLFLOW_TRACKING_TOKEN: inputs['mlflow-token'] } : ctx.env;
  const backend = createRegistry({
    trackingUri: inputs['tracking-uri'] || undefined,
    workdir: ctx.workspace,
    logger: ctx.logger,
    env,
    mlflow: {
      style: inputs['registry-style'] === 'stage' ? 'stage' : 'alias',
      alias: inputs['champion-alias'],
      syncOther: inputs['sync-registry-styles'],
    },
  });
  ctx.logger.info(`Registry: ${backend.kind} (${backend.location})`);
  return backend;
}

/** The gate's `champion-version` output back into the promote input: 'none' means no champion. */
export function parseExpectedChampion(value: string): string | null {
  const v = value.trim();
  if (v === 'none') return null;
  if (/^[1-9]\d*$/.test(v)) return v;
  throw new UserError(
    `Input 'expected-champion' received ${JSON.stringify(value)}; expected a version number or 'none' (the quality gate's champion-version output).`,
  );
}

/** Who/what promoted, from the runner's environment; the PR number from the input or refs/pull/<n>/merge. */
export function githubRunFromEnv(env: NodeJS.ProcessEnv, pr?: number): GithubRunInfo {
  const refPr = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '')?.[1];
  const url =
    env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY
      ? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  return {
    id: env.GITHUB_RUN_ID || undefined,
    url,
    sha: env.GITHUB_SHA || undefined,
    pr: pr ?? (refPr ? Number(refPr) : null),
    actor: env.GITHUB_ACTOR || undefined,
  };
}

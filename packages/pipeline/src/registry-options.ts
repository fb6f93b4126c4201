/**
 * How every stage that reads or writes the registry gets it, from action inputs or CLI flags
 * alike: the tracking URI (and where it came from, for hints), the champion's marker style, and
 * the credentials. The actions declare REGISTRY_INPUTS once; the CLI has the same flags.
 */
import { UserError, type Logger } from '@wms/core';
import { createRegistry, type GithubRunInfo, type RegistryBackend } from '@wms/registry';

export const REGISTRY_STYLES = ['alias', 'stage'] as const;
export type RegistryStyle = (typeof REGISTRY_STYLES)[number];

export interface RegistryOptions {
  /** http(s) MLflow URL, a folder, 'local', or undefined: $MLFLOW_TRACKING_URI, else the local store. */
  trackingUri: string | undefined;
  /** Named in hints: "--tracking-uri", "input 'tracking-uri'", "MLFLOW_TRACKING_URI"… */
  trackingUriSource: string;
  style: RegistryStyle;
  championAlias: string;
  /** Also move the other marker; it moves anyway when it was ever used for the model. */
  syncStyles: boolean;
  /** Bearer token; else $MLFLOW_TRACKING_TOKEN or basic auth from $MLFLOW_TRACKING_USERNAME/PASSWORD. */
  token?: string;
}

export const DEFAULT_REGISTRY_OPTIONS: RegistryOptions = {
  trackingUri: undefined,
  trackingUriSource: 'MLFLOW_TRACKING_URI',
  style: 'alias',
  championAlias: 'champion',
  syncStyles: false,
};

export const REGISTRY_INPUTS = {
  'model-name': { kind: 'string', default: 'water-meter', description: 'Registered model name.' },
  'tracking-uri': {
    kind: 'string',
    default: '',
    description:
      "MLflow server URL (http/https). Empty: $MLFLOW_TRACKING_URI; on a runner without either the step fails (a registry in the workspace would be lost). 'local' asks for the local store in .wms/registry, which on a runner lasts only for the job.",
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
    description:
      'Also keep the other marker (stage or alias) consistent when promoting; it is kept anyway once it was used for the model.',
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

export function parseRegistryStyle(value: string, where: string): RegistryStyle {
  if ((REGISTRY_STYLES as readonly string[]).includes(value)) return value as RegistryStyle;
  throw new UserError(`${where} received ${JSON.stringify(value)}; expected one of: ${REGISTRY_STYLES.join(', ')}.`);
}

/** The action's registry inputs; an empty tracking-uri falls back to $MLFLOW_TRACKING_URI. */
export function registryOptionsFromInputs(inputs: RegistryInputValues, env: NodeJS.ProcessEnv): RegistryOptions {
  const explicit = inputs['tracking-uri'].trim();
  return {
    trackingUri: explicit || env.MLFLOW_TRACKING_URI || undefined,
    trackingUriSource: explicit ? "input 'tracking-uri'" : 'MLFLOW_TRACKING_URI',
    style: parseRegistryStyle(inputs['registry-style'], "Input 'registry-style'"),
    championAlias: inputs['champion-alias'],
    syncStyles: inputs['sync-registry-styles'],
    token: inputs['mlflow-token'] || undefined,
  };
}

/** The environment a registry or tracking client sees: the token option wins over $MLFLOW_TRACKING_TOKEN. */
export function registryEnv(options: Pick<RegistryOptions, 'token'>, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return options.token ? { ...env, MLFLOW_TRACKING_TOKEN: options.token } : env;
}

/** Opens the backend the options name and logs where it is. */
export function openRegistry(
  options: RegistryOptions,
  ctx: { workspace: string; env: NodeJS.ProcessEnv; logger: Logger },
): RegistryBackend {
  const env = registryEnv(options, ctx.env);
  const backend = createRegistry({
    trackingUri: options.trackingUri,
    trackingUriSource: options.trackingUriSource,
    workdir: ctx.workspace,
    logger: ctx.logger,
    env,
    mlflow: { style: options.style, alias: options.championAlias, syncOther: options.syncStyles },
  });
  ctx.logger.info(`Registry: ${backend.kind} (${backend.location})`);
  const notice = registryNotice(backend);
  if (notice) ctx.logger.warning(notice);
  return backend;
}

/** What a summary must say about a registry that does not outlive the job; undefined otherwise. */
export function registryNotice(backend: RegistryBackend): string | undefined {
  if (!backend.ephemeral) return undefined;
  return `The registry is the local store at ${backend.location} inside this runner's workspace (tracking-uri: local): it is deleted when the job ends, so nothing registered or promoted here persists.`;
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

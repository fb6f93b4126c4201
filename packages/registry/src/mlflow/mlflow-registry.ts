import { defaultSleep, UserError, type Logger } from '@wms/core';
import { ChampionChangedError } from '../errors';
import {
  metricsFromTags,
  metricsToTags,
  VERSION_TAGS,
  type ChampionInfo,
  type ModelRegistry,
  type ModelVersionInfo,
  type PromotionRecord,
} from '../types';
import type { ArtifactStore } from './artifact-store';
import { checkTagValues } from './log-batch';
import { isAlreadyExists, isMissingAlias, isNotFound, type MlflowHttp } from './mlflow-http';
import { createMlflowRun } from './mlflow-tracking';
import { MLFLOW_API, recordToTags, tagsToRecord, type MlflowModelVersion, type MlflowRun } from './mlflow-types';

/**
 * How the champion is marked: the `champion` alias (current MLflow) or the Production stage
 * (deprecated since MLflow 2.9, still what many servers and the seed use). With `syncOther`
 * promotion also updates the other marker so readers of either style agree.
 */
export interface MlflowRegistryStyle {
  style: 'alias' | 'stage';
  alias: string;
  syncOther: boolean;
}

export interface MlflowRegistryOptions extends Partial<MlflowRegistryStyle> {
  /** Experiment holding the runs created for versions registered without a run id. */
  registryExperiment?: string;
  /** How long to wait for a version to leave PENDING_REGISTRATION. */
  readyTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const PRODUCTION = 'Production';
/** Run metric names tried, in order, when a version has no wms.metrics.* tags. */
const RUN_METRIC_KEYS = [
  ['dice', 'iou'],
  ['val_dice', 'val_iou'],
  ['test_dice', 'test_iou'],
] as const;

/** An MLflow filter string literal (single quotes doubled per MLflow's SQL-like grammar). */
function quoteFilter(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function createMlflowModelRegistry(
  http: MlflowHttp,
  artifacts: ArtifactStore,
  logger: Logger,
  options: MlflowRegistryOptions = {},
): ModelRegistry {
  const style: MlflowRegistryStyle = {
    style: options.style ?? 'alias',
    alias: options.alias ?? 'champion',
    syncOther: options.syncOther ?? false,
  };
  const sleep = options.sleep ?? defaultSleep;

  const isChampion = (mv: MlflowModelVersion): boolean =>
    style.style === 'alias' ? (mv.aliases ?? []).includes(style.alias) : mv.current_stage === PRODUCTION;

  const toInfo = (mv: MlflowModelVersion, champion?: boolean): ModelVersionInfo => {
    const tags = tagsToRecord(mv.tags);
    const created = Number(mv.creation_timestamp);
    const wasPromoted = tags[VERSION_TAGS.status] === 'champion' || tags[VERSION_TAGS.status] === 'archived';
    return {
      model: mv.name,
      version: String(mv.version),
      runId: mv.run_id || undefined,
      source: mv.source ?? '',
      metrics: metricsFromTags(tags),
      tags,
      createdAt: Number.isFinite(created) && created > 0 ? new Date(created).toISOString() : '',
      status:
        (champion ?? isChampion(mv))
          ? 'champion'
          : wasPromoted || mv.current_stage === 'Archived'
            ? 'archived'
            : 'registered',
    };
  };

  const setVersionTags = async (model: string, version: string, tags: Record<string, string>): Promise<void> => {
    checkTagValues(tags);
    for (const [key, value] of Object.entries(tags)) {
      await http.call({ method: 'POST', path: MLFLOW_API.versionSetTag, json: { name: model, version, key, value } });
    }
  };

  const findByAlias = async (model: string): Promise<MlflowModelVersion | null> => {
    try {
      const r = await http.call<{ model_version?: MlflowModelVersion }>({
        method: 'GET',
        path: MLFLOW_API.alias,
        query: { name: model, alias: style.alias },
      });
      return r.model_version ?? null;
    } catch (error) {
      // MLflow's own answer that the alias or the model does not exist; anything else fails closed.
      if (isMissingAlias(error, style.alias)) return null;
      throw error;
    }
  };

  const findByStage = async (model: string): Promise<MlflowModelVersion | null> => {
    try {
      const r = await http.call<{ model_versions?: MlflowModelVersion[] }>({
        method: 'POST',
        path: MLFLOW_API.latestVersions,
        json: { name: model, stages: [PRODUCTION] },
      });
      return (r.model_versions ?? []).sort((a, b) => Number(b.version) - Number(a.version))[0] ?? null;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  };

  /**
   * The version the configured marker points at. When that marker was never set but the other
   * style's is (a model promoted by the seed's stages, read in the alias style, or the reverse),
   * the other marker names the champion: otherwise every candidate would beat baseline 0.
   * No model, no alias, no Production version: there is no champion yet, so the baseline is 0.
   */
  const findChampion = async (model: string): Promise<MlflowModelVersion | null> => {
    const [primary, other] = style.style === 'alias' ? [findByAlias, findByStage] : [findByStage, findByAlias];
    const found = await primary(model);
    if (found) return found;
    const fallback = await other(model);
    if (fallback) {
      const [mine, theirs] =
        style.style === 'alias'
          ? [`alias '${style.alias}'`, `the ${PRODUCTION} stage`]
          : [`the ${PRODUCTION} stage`, `alias '${style.alias}'`];
      logger.warning(
        `${model} has no ${mine}, but ${theirs} marks version ${fallback.version}: using it as the champion (promotion sets both).`,
      );
    }
    return fallback;
  };

  /**
   * Whether the other style's marker was ever used for this model (any version in a stage other
   * than None, or the alias set), so promotion keeps it consistent even without syncOther.
   */
  const otherStyleInUse = async (model: string): Promise<boolean> => {
    if (style.style === 'alias') {
      const versions = await searchVersions(model);
      return versions.some((v) => v.current_stage === PRODUCTION || v.current_stage === 'Archived');
    }
    return (await findByAlias(model)) !== null;
  };

  /** Versions registered outside WMS (the seed's Python pipeline) carry metrics on their run only. */
  const metricsOfRun = async (runId: string): Promise<ChampionInfo['metrics']> => {
    try {
      const { run } = await http.call<{ run: MlflowRun }>({
        method: 'GET',
        path: MLFLOW_API.runGet,
        query: { run_id: runId },
      });
      const values = new Map((run.data?.metrics ?? []).map((m) => [m.key, m.value]));
      for (const [dice, iou] of RUN_METRIC_KEYS) {
        const d = values.get(dice);
        const i = values.get(iou);
        if (Number.isFinite(d) && Number.isFinite(i)) return { dice: d!, iou: i! };
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return undefined;
  };

  /** Every version of the model (MLflow answers {} for an unknown model). */
  const searchVersions = async (model: string): Promise<MlflowModelVersion[]> => {
    const versions: MlflowModelVersion[] = [];
    let pageToken: string | undefined;
    do {
      const query: Record<string, string> = { filter: `name=${quoteFilter(model)}`, max_results: '200' };
      if (pageToken) query.page_token = pageToken;
      const page = await http.call<{ model_versions?: MlflowModelVersion[]; next_page_token?: string }>({
        method: 'GET',
        path: MLFLOW_API.versionSearch,
        query,
      });
      versions.push(...(page.model_versions ?? []));
      pageToken = page.next_page_token || undefined;
    } while (pageToken);
    return versions;
  };

  const getChampion = async (model: string): Promise<ChampionInfo | null> => {
    const mv = await findChampion(model);
    if (!mv) return null;
    const info = toInfo(mv, true);
    if (!info.metrics && info.runId) info.metrics = await metricsOfRun(info.runId);
    return info;
  };

  const waitUntilReady = async (mv: MlflowModelVersion): Promise<MlflowModelVersion> => {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
    let current = mv;
    while (current.status === 'PENDING_REGISTRATION') {
      if (Date.now() > deadline) {
        throw new Error(
          `MLflow model ${mv.name} version ${mv.version} is still PENDING_REGISTRATION; gave up waiting.`,
        );
      }
      await sleep(1000);
      current = (
        await http.call<{ model_version: MlflowModelVersion }>({
          method: 'GET',
          path: MLFLOW_API.versionGet,
          query: { name: mv.name, version: String(mv.version) },
        })
      ).model_version;
    }
    if (current.status === 'FAILED_REGISTRATION') {
      throw new Error(`MLflow could not register ${mv.name} version ${mv.version} (FAILED_REGISTRATION).`);
    }
    return current;
  };

  const runArtifactUri = async (runId: string): Promise<string> => {
    const { run } = await http.call<{ run: MlflowRun }>({
      method: 'GET',
      path: MLFLOW_API.runGet,
      query: { run_id: runId },
    });
    if (!run.info.artifact_uri) throw new Error(`MLflow run ${runId} has no artifact_uri.`);
    return run.info.artifact_uri.replace(/\/+$/, '');
  };

  return {
    getChampion,

    async registerVersion(input) {
      const tags = { ...input.tags, ...metricsToTags(input.metrics), [VERSION_TAGS.status]: 'registered' };
      checkTagValues(tags); // before anything is created: the server would refuse the version after the upload
      try {
        await http.call({ method: 'POST', path: MLFLOW_API.registeredModelCreate, json: { name: input.model } });
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
      let runId = input.runId;
      let artifactUri: string | undefined;
      if (runId) {
        try {
          artifactUri = await runArtifactUri(runId);
        } catch (error) {
          // A model trained against another store (the local one, a memory tracker) names a run
          // this server never had: register it from a run of its own rather than fail the promotion.
          if (!isNotFound(error)) throw error;
          logger.warning(
            `The candidate's run ${runId} does not exist on this MLflow server; registering ${input.model} from a new registration run.`,
          );
          runId = undefined;
        }
      }
      if (!runId || artifactUri === undefined) {
        const run = await createMlflowRun(http, {
          experiment: options.registryExperiment ?? 'wms-registry',
          runName: `register-${input.model}`,
          tags: { 'wms.purpose': 'model registration' },
        });
        runId = run.runId;
        artifactUri = run.artifactUri.replace(/\/+$/, '');
        await http.call({
          method: 'POST',
          path: MLFLOW_API.runUpdate,
          json: { run_id: runId, status: 'FINISHED', end_time: Date.now() },
        });
      }
      const source = `${artifactUri}/model`;
      const uploaded = await artifacts.upload(input.artifactsDir, source);
      if (uploaded === 0) throw new UserError(`Model artifacts directory ${input.artifactsDir} is empty.`);
      const { model_version } = await http.call<{ model_version: MlflowModelVersion }>({
        method: 'POST',
        path: MLFLOW_API.versionCreate,
        json: { name: input.model, source, run_id: runId, tags: recordToTags(tags) },
      });
      const ready = await waitUntilReady(model_version);
      logger.info(`Registered ${input.model} version ${ready.version} from run ${runId}`);
      return toInfo(ready, false);
    },

    async promote(model, version, promoteOptions): Promise<PromotionRecord> {
      // MLflow has no compare-and-set: re-read right before moving the marker, and rely on the
      // workflow's `concurrency: promote-<model>` group to serialise the rest.
      const current = await getChampion(model);
      const currentVersion = current?.version ?? null;
      if (currentVersion !== promoteOptions.expectedChampionVersion) {
        throw new ChampionChangedError(model, promoteOptions.expectedChampionVersion, currentVersion);
      }
      const now = new Date().toISOString();
      const setAlias = (): Promise<unknown> =>
        http.call({ method: 'POST', path: MLFLOW_API.alias, json: { name: model, alias: style.alias, version } });
      const setStage = (): Promise<unknown> =>
        http.call({
          method: 'POST',
          path: MLFLOW_API.versionTransitionStage,
          json: { name: model, version, stage: PRODUCTION, archive_existing_versions: true },
        });
      // Both markers move when asked, or when the other one was ever used for this model: a
      // reader of either style must never see a stale champion.
      const syncOther = style.syncOther || (await otherStyleInUse(model));
      if (style.style === 'alias') {
        await setAlias();
        if (syncOther) await setStage();
      } else {
        await setStage();
        if (syncOther) await setAlias();
      }
      // Provenance after the move: the check-to-move window stays as short as possible.
      await setVersionTags(model, version, {
        ...promoteOptions.tags,
        [VERSION_TAGS.status]: 'champion',
        [VERSION_TAGS.promotedAt]: now,
      });
      if (current && current.version !== version) {
        await setVersionTags(model, current.version, {
          [VERSION_TAGS.status]: 'archived',
          [VERSION_TAGS.archivedAt]: now,
          [VERSION_TAGS.replacedBy]: version,
        });
      }
      logger.info(`Promoted ${model} version ${version} (previous champion: ${currentVersion ?? 'none'})`);
      return { model, version, previousVersion: currentVersion };
    },

    async history(model) {
      const versions = await searchVersions(model);
      if (versions.length === 0) return [];
      const champion = await getChampion(model);
      return versions
        .sort((a, b) => Number(a.version) - Number(b.version))
        .map((mv) => toInfo(mv, String(mv.version) === champion?.version));
    },

    async downloadArtifacts(model, version, destDir) {
      const { model_version } = await http.call<{ model_version: MlflowModelVersion }>({
        method: 'GET',
        path: MLFLOW_API.versionGet,
        query: { name: model, version },
      });
      let source = model_version.source ?? '';
      const runsUri = /^runs:\/([^/]+)\/?(.*)$/.exec(source);
      if (runsUri) source = `${await runArtifactUri(runsUri[1]!)}/${runsUri[2] ?? ''}`.replace(/\/+$/, '');
      const count = await artifacts.download(source, destDir);
      if (count === 0) throw new Error(`No artifacts found for ${model} version ${version} at ${source}.`);
      return destDir;
    },
  };
}

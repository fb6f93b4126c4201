import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { createMemoryLogger, describeFailure, UserError } from '@wms/core';
import { makeTempDir } from '@wms/test-support';
import {
  githubRunFromEnv,
  openRegistry,
  parseExpectedChampion,
  registryNotice,
  registryOptionsFromInputs,
  DEFAULT_REGISTRY_OPTIONS,
} from '../src';

const inputs = (overrides: Partial<Record<string, string | boolean>> = {}) => ({
  'tracking-uri': '',
  'registry-style': 'alias',
  'champion-alias': 'champion',
  'sync-registry-styles': false,
  'mlflow-token': '',
  ...overrides,
});

describe('no lost champion on a runner', () => {
  let workspace: string;
  beforeEach(async () => {
    workspace = await makeTempDir('wms-runner-');
  });
  afterEach(() => fsp.rm(workspace, { recursive: true, force: true }));

  it('refuses an implicit local store on a GitHub runner and says how to configure the server', () => {
    const env = { GITHUB_ACTIONS: 'true' };
    const logger = createMemoryLogger();
    const open = () => openRegistry(registryOptionsFromInputs(inputs() as never, env), { workspace, env, logger });
    expect(open).toThrow(UserError);
    const text = (() => {
      try {
        open();
      } catch (error) {
        return describeFailure(error);
      }
      return '';
    })();
    expect(text).toMatch(/No tracking server configured/);
    expect(text).toContain('tracking-uri input');
    expect(text).toContain('MLFLOW_TRACKING_URI');
    expect(text).toContain("start-infra step's tracking-uri output");
    expect(text).toContain('tracking-uri: local');
  });

  it('takes $MLFLOW_TRACKING_URI on a runner when the input is empty', () => {
    const env = { GITHUB_ACTIONS: 'true', MLFLOW_TRACKING_URI: 'http://127.0.0.1:9' };
    const options = registryOptionsFromInputs(inputs() as never, env);
    expect(options).toEqual(
      expect.objectContaining({ trackingUri: 'http://127.0.0.1:9', trackingUriSource: 'MLFLOW_TRACKING_URI' }),
    );
    const backend = openRegistry(options, { workspace, env, logger: createMemoryLogger() });
    expect(backend).toEqual(expect.objectContaining({ kind: 'mlflow', ephemeral: false }));
  });

  it("an explicit 'local' works on a runner, and the summary notice says nothing persists", () => {
    const env = { GITHUB_ACTIONS: 'true' };
    const logger = createMemoryLogger();
    const backend = openRegistry(registryOptionsFromInputs(inputs({ 'tracking-uri': 'local' }) as never, env), {
      workspace,
      env,
      logger,
    });
    expect(backend).toEqual(
      expect.objectContaining({ kind: 'local', location: join(workspace, '.wms/registry'), ephemeral: true }),
    );
    expect(registryNotice(backend)).toMatch(
      /deleted when the job ends, so nothing registered or promoted here persists/,
    );
    expect(logger.messages('warning').join('\n')).toContain('nothing registered or promoted here persists');
  });

  it('off a runner the implicit local store stays the default and is not flagged', () => {
    const backend = openRegistry(DEFAULT_REGISTRY_OPTIONS, { workspace, env: {}, logger: createMemoryLogger() });
    expect(backend).toEqual(expect.objectContaining({ kind: 'local', ephemeral: false }));
    expect(registryNotice(backend)).toBeUndefined();
  });

  it('refuses a registry style that is neither alias nor stage', () => {
    expect(() => registryOptionsFromInputs(inputs({ 'registry-style': 'tag' }) as never, {})).toThrow(
      /Input 'registry-style' received "tag"; expected one of: alias, stage/,
    );
  });
});

describe('promote inputs', () => {
  it('reads expected-champion as a version or none', () => {
    expect(parseExpectedChampion('none')).toBeNull();
    expect(parseExpectedChampion(' 12 ')).toBe('12');
    expect(() => parseExpectedChampion('0')).toThrow(/received "0"; expected a version number or 'none'/);
  });

  it('builds GitHub provenance from the runner environment', () => {
    const env = {
      GITHUB_RUN_ID: '9',
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_SHA: 's',
      GITHUB_REF: 'refs/pull/44/merge',
      GITHUB_ACTOR: 'me',
    };
    expect(githubRunFromEnv(env)).toEqual({
      id: '9',
      url: 'https://github.com/o/r/actions/runs/9',
      sha: 's',
      pr: 44,
      actor: 'me',
    });
    expect(githubRunFromEnv({ GITHUB_REF: 'refs/heads/main' }, 7).pr).toBe(7);
    expect(githubRunFromEnv({ GITHUB_REF: 'refs/heads/main' }).pr).toBeNull();
  });
});

import type { InputValues } from '@wms/core';
import { mlflowAuthFrom, parseTerraformVars } from '@wms/infra';
import { ec2TargetFromInputs, type StartInfraStageOptions } from '@wms/pipeline/start-infra-stage';
import type { StopInfraStageOptions } from '@wms/pipeline/stop-infra-stage';
import type { spec } from './spec';

type Inputs = InputValues<typeof spec.inputs>;

/** The action's inputs as start-infra stage options. */
export function startOptionsFromInputs(
  inputs: Inputs,
  workspace: string,
  env: NodeJS.ProcessEnv,
): StartInfraStageOptions {
  return {
    mode: inputs.mode,
    ec2: inputs.mode === 'ec2' ? ec2TargetFromInputs(inputs, env) : undefined,
    terraform: terraformOptions(inputs),
    mlflowUrl: inputs['mlflow-url'] || undefined,
    auth: mlflowAuthFrom({
      username: inputs['mlflow-username'],
      password: inputs['mlflow-password'],
      token: inputs['mlflow-token'],
    }),
    runningTimeoutMs: inputs['running-timeout'] * 1000,
    healthTimeoutMs: inputs['health-timeout'] * 1000,
    pollIntervalMs: inputs['poll-interval'] * 1000,
    healthIntervalMs: Math.min(2000, inputs['poll-interval'] * 1000),
    costPerHour: inputs['cost-per-hour'],
    workspace,
  };
}

function terraformOptions(inputs: Inputs): StartInfraStageOptions['terraform'] {
  if (inputs.mode !== 'terraform') return undefined;
  return {
    dir: inputs['terraform-dir'],
    vars: parseTerraformVars(inputs['terraform-vars'] ?? [], 'terraform-vars'),
    backendConfig: inputs['terraform-backend-config'] ?? [],
  };
}

/** What the post step stops: the host the main step recorded in the runner's state. */
export function postStopOptions(
  inputs: Inputs,
  state: (name: string) => string,
  workspace: string,
  env: NodeJS.ProcessEnv,
): StopInfraStageOptions {
  const start = startOptionsFromInputs(inputs, workspace, env);
  const instanceId = state('instance-id');
  const startedAt = state('started-at');
  return {
    mode: start.mode,
    ec2: start.ec2 && {
      ...start.ec2,
      host: { ...start.ec2.host, instanceId: instanceId || start.ec2.host.instanceId },
    },
    terraform: start.terraform,
    started: true,
    startedAt: startedAt ? new Date(startedAt) : undefined,
    costPerHour: inputs['cost-per-hour'],
    stoppedTimeoutMs: inputs['stopped-timeout'] * 1000,
    pollIntervalMs: start.pollIntervalMs,
    workspace,
  };
}

import type { InputValues } from '@wms/core';
import { parseStartedAt, parseTerraformVars } from '@wms/infra';
import { ec2TargetFromInputs } from '@wms/pipeline/start-infra-stage';
import type { StopInfraStageOptions } from '@wms/pipeline/stop-infra-stage';
import type { spec } from './spec';

/** The action's inputs as stop-infra stage options. */
export function stopOptionsFromInputs(
  inputs: InputValues<typeof spec.inputs>,
  workspace: string,
  env: NodeJS.ProcessEnv,
): StopInfraStageOptions {
  return {
    mode: inputs.mode,
    ec2: inputs.mode === 'ec2' ? ec2TargetFromInputs(inputs, env) : undefined,
    terraform:
      inputs.mode === 'terraform'
        ? {
            dir: inputs['terraform-dir'],
            vars: parseTerraformVars(inputs['terraform-vars'] ?? [], 'terraform-vars'),
            backendConfig: inputs['terraform-backend-config'] ?? [],
          }
        : undefined,
    started: inputs.started === 'unknown' ? undefined : inputs.started === 'true',
    keepRunning: inputs['keep-running'],
    startedAt: parseStartedAt(inputs['started-at'], 'started-at'),
    costPerHour: inputs['cost-per-hour'],
    stoppedTimeoutMs: inputs['stopped-timeout'] * 1000,
    pollIntervalMs: inputs['poll-interval'] * 1000,
    wait: inputs.wait,
    workspace,
  };
}

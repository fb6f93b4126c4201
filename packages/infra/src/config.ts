/** Parsing of the infra settings shared by the start-infra/stop-infra actions and the CLI. */
import { UserError } from '@wms/core';
import type { MlflowAuth } from './health';

/** The region input, else the runner's AWS_REGION / AWS_DEFAULT_REGION (configure-aws-credentials sets both). */
export function resolveRegion(input: string | undefined, env: NodeJS.ProcessEnv, inputName = 'region'): string {
  const region = input?.trim() || env.AWS_REGION || env.AWS_DEFAULT_REGION || '';
  if (!region) {
    throw new UserError(`Input '${inputName}' is empty and neither AWS_REGION nor AWS_DEFAULT_REGION is set.`, {
      hint: 'Set region (e.g. eu-central-1) or run aws-actions/configure-aws-credentials before this step.',
    });
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new UserError(
      `Input '${inputName}' received ${JSON.stringify(region)}; expected an AWS region like eu-central-1.`,
    );
  }
  return region;
}

/** "name=value" lines as Terraform -var pairs. */
export function parseTerraformVars(lines: readonly string[], inputName: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf('=');
    const name = at > 0 ? line.slice(0, at).trim() : '';
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) {
      throw new UserError(`Input '${inputName}' has ${JSON.stringify(line)}; expected name=value, one per line.`);
    }
    vars[name] = line.slice(at + 1).trim();
  }
  return vars;
}

export function mlflowAuthFrom(values: { username?: string; password?: string; token?: string }): MlflowAuth {
  if (values.token) return { kind: 'bearer', token: values.token };
  if (values.username || values.password) {
    if (!values.username || !values.password) {
      throw new UserError('mlflow-username and mlflow-password must be set together (basic auth).');
    }
    return { kind: 'basic', username: values.username, password: values.password };
  }
  return { kind: 'none' };
}

/** An ISO 8601 time, as start-infra's started-at output prints it; empty is undefined. */
export function parseStartedAt(text: string | undefined, inputName: string): Date | undefined {
  if (!text?.trim()) return undefined;
  const date = new Date(text.trim());
  if (Number.isNaN(date.getTime())) {
    throw new UserError(
      `Input '${inputName}' received ${JSON.stringify(text)}; expected an ISO 8601 time such as 2026-01-31T12:00:00Z.`,
    );
  }
  return date;
}

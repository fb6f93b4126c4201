/**
 * The terraform mode: `init` + `apply` (or `destroy`) in a Terraform root, then the root's outputs
 * read with `terraform output -json` ({"name": {"value": …, "type": …, "sensitive": …}}).
 */
import { existsSync } from 'node:fs';
import { UserError, type Logger } from '@wms/core';
import type { CommandRunner } from './command-runner';

export interface TerraformOptions {
  /** The Terraform root (e.g. infra/ephemeral). */
  dir: string;
  /** -var name=value pairs. */
  vars?: Readonly<Record<string, string>>;
  /** -backend-config values for `init` (the remote state that lets a later job destroy what this one applied). */
  backendConfig?: readonly string[];
  /** The terraform binary (default: terraform on PATH). */
  binary?: string;
  env?: NodeJS.ProcessEnv;
  /** Limit of each terraform command. */
  timeoutMs?: number;
}

export type TerraformOutputs = Record<string, unknown>;

/** The outputs start-infra reads from a Terraform root (infra/ephemeral declares them; a test checks it). */
export const HOST_OUTPUTS = {
  instanceId: 'instance_id',
  mlflowUrl: 'mlflow_url',
  instanceType: 'instance_type',
} as const;

const COMMON = ['-input=false', '-no-color'];

function varArgs(vars: Readonly<Record<string, string>> = {}): string[] {
  return Object.entries(vars).flatMap(([k, v]) => ['-var', `${k}=${v}`]);
}

async function run(
  runner: CommandRunner,
  options: TerraformOptions,
  args: string[],
  what: string,
  echoStdout = true,
): Promise<string> {
  const binary = options.binary ?? 'terraform';
  if (!existsSync(options.dir)) {
    throw new UserError(`Terraform root ${options.dir} does not exist.`, {
      hint: 'Set terraform-dir to a folder with .tf files, relative to the workspace (e.g. infra/ephemeral).',
    });
  }
  let result;
  try {
    result = await runner(binary, args, {
      cwd: options.dir,
      env: options.env,
      echoStdout,
      timeoutMs: options.timeoutMs,
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') {
      throw new UserError(`terraform mode needs the terraform CLI, and ${binary} was not found on PATH.`, {
        hint: 'Add hashicorp/setup-terraform before this step, or use mode: ec2.',
      });
    }
    throw error;
  }
  if (result.timedOut) {
    throw new UserError(
      `terraform ${what} in ${options.dir} did not finish within ${Math.round((options.timeoutMs ?? 0) / 1000)} s and was interrupted.`,
      { hint: 'Raise running-timeout, and check the state lock (terraform force-unlock) before the next run.' },
    );
  }
  if (result.exitCode !== 0) {
    const tail = result.stderr.trim().split('\n').slice(-15).join('\n');
    throw new UserError(`terraform ${what} in ${options.dir} failed (exit ${result.exitCode}):\n${tail}`, {
      hint: 'The full terraform log is above in this step.',
    });
  }
  return result.stdout;
}

export async function terraformInit(runner: CommandRunner, options: TerraformOptions): Promise<void> {
  const backend = (options.backendConfig ?? []).map((b) => `-backend-config=${b}`);
  await run(runner, options, ['init', ...COMMON, ...backend], 'init');
}

export async function terraformApply(
  runner: CommandRunner,
  options: TerraformOptions,
  logger: Logger,
): Promise<TerraformOutputs> {
  await terraformInit(runner, options);
  logger.info(`terraform apply in ${options.dir}`);
  await run(runner, options, ['apply', '-auto-approve', ...COMMON, ...varArgs(options.vars)], 'apply');
  return terraformOutputs(runner, options);
}

export async function terraformDestroy(
  runner: CommandRunner,
  options: TerraformOptions,
  logger: Logger,
): Promise<void> {
  await terraformInit(runner, options);
  logger.info(`terraform destroy in ${options.dir}`);
  await run(runner, options, ['destroy', '-auto-approve', ...COMMON, ...varArgs(options.vars)], 'destroy');
}

export async function terraformOutputs(runner: CommandRunner, options: TerraformOptions): Promise<TerraformOutputs> {
  const stdout = await run(runner, options, ['output', '-json', '-no-color'], 'output', false);
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new UserError(`terraform output -json in ${options.dir} did not print JSON: ${stdout.slice(0, 200)}`);
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new UserError(
      `terraform output -json in ${options.dir} printed ${stdout.slice(0, 200)}; expected an object.`,
    );
  }
  const outputs: TerraformOutputs = {};
  for (const [name, entry] of Object.entries(parsed as Record<string, unknown>)) {
    outputs[name] = typeof entry === 'object' && entry !== null && 'value' in entry ? entry.value : undefined;
  }
  return outputs;
}

/** One output as a non-empty string, or a UserError naming the root and what it does declare. */
export function requireStringOutput(outputs: TerraformOutputs, name: string, dir: string): string {
  const value = outputs[name];
  if (typeof value !== 'string' || value === '') {
    throw new UserError(
      `Terraform root ${dir} has no string output '${name}' (outputs: ${Object.keys(outputs).join(', ') || 'none'}).`,
      { hint: 'Point terraform-dir at infra/ephemeral or a root with the same outputs.' },
    );
  }
  return value;
}

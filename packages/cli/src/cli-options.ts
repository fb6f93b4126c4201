/** Strict option parsers: a bad flag value is a UserError naming the flag, the value and what is accepted. */
import type { Command } from 'commander';
import { UserError, createConsoleLogger, type Logger, type ProgressFactory } from '@wms/core';
import { DEFAULT_REGISTRY_OPTIONS, REGISTRY_STYLES, type RegistryOptions, type RegistryStyle } from '@wms/pipeline';
import { createTerminalProgress } from './terminal-progress';

export function integerOption(flag: string, min: number, max = Number.MAX_SAFE_INTEGER): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (!/^[+-]?\d+$/.test(raw.trim()) || value < min || value > max) {
      throw new UserError(`Option ${flag} received ${JSON.stringify(raw)}; expected an integer from ${min} to ${max}.`);
    }
    return value;
  };
}

export function numberOption(flag: string, min: number, max: number): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
      throw new UserError(`Option ${flag} received ${JSON.stringify(raw)}; expected a number from ${min} to ${max}.`);
    }
    return value;
  };
}

export function choiceOption<T extends string>(flag: string, choices: readonly T[]): (raw: string) => T {
  return (raw) => {
    if (!(choices as readonly string[]).includes(raw)) {
      throw new UserError(`Option ${flag} received ${JSON.stringify(raw)}; expected one of: ${choices.join(', ')}.`);
    }
    return raw as T;
  };
}

export interface CliContext {
  logger: Logger;
  progress: ProgressFactory;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Markdown reports go to stdout so they can be piped or saved; logs go to stderr. */
  print(markdown: string): void;
}

export function createCliContext(): CliContext {
  return {
    logger: createConsoleLogger(),
    progress: () => createTerminalProgress(),
    env: process.env,
    cwd: process.cwd(),
    print: (markdown) => void process.stdout.write(`${markdown.trimEnd()}\n\n`),
  };
}

/** The tracking URI a person means: the flag, else WMS_TRACKING_URI, else MLFLOW_TRACKING_URI, else the local store. */
export function trackingUriFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return trackingUriWithSource(flag, env).uri;
}

/** The tracking URI and where it came from (named in error hints). */
export function trackingUriWithSource(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
): { uri: string | undefined; source: string } {
  if (flag) return { uri: flag, source: '--tracking-uri' };
  if (env.WMS_TRACKING_URI) return { uri: env.WMS_TRACKING_URI, source: 'WMS_TRACKING_URI' };
  if (env.MLFLOW_TRACKING_URI) return { uri: env.MLFLOW_TRACKING_URI, source: 'MLFLOW_TRACKING_URI' };
  return { uri: undefined, source: '--tracking-uri' };
}

/** The registry flags, the same options the quality-gate and promote actions take as inputs. */
export interface RegistryFlags {
  trackingUri?: string;
  registryStyle: RegistryStyle;
  championAlias: string;
  syncRegistryStyles?: boolean;
  mlflowToken?: string;
}

export function addRegistryOptions(command: Command): Command {
  return command
    .option(
      '--tracking-uri <uri>',
      "MLflow URL; 'local' for the local store in .wms/registry (default: $WMS_TRACKING_URI, $MLFLOW_TRACKING_URI, else local)",
    )
    .option(
      '--registry-style <style>',
      "how MLflow marks the champion: 'alias' or 'stage' (Production)",
      choiceOption('--registry-style', REGISTRY_STYLES),
      DEFAULT_REGISTRY_OPTIONS.style,
    )
    .option('--champion-alias <name>', 'MLflow alias that marks the champion', DEFAULT_REGISTRY_OPTIONS.championAlias)
    .option('--sync-registry-styles', 'also keep the other marker (stage or alias) consistent when promoting')
    .option('--mlflow-token <token>', 'bearer token for MLflow (default: $MLFLOW_TRACKING_TOKEN)');
}

export function registryOptionsFromFlags(flags: RegistryFlags, env: NodeJS.ProcessEnv): RegistryOptions {
  const { uri, source } = trackingUriWithSource(flags.trackingUri, env);
  return {
    trackingUri: uri ?? '',
    trackingUriSource: source,
    style: flags.registryStyle,
    championAlias: flags.championAlias,
    syncStyles: Boolean(flags.syncRegistryStyles),
    token: flags.mlflowToken || undefined,
  };
}

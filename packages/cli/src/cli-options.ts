/** Strict option parsers: a bad flag value is a UserError naming the flag, the value and what is accepted. */
import { UserError, createConsoleLogger, type Logger, type ProgressFactory } from '@wms/core';
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
  return flag || env.WMS_TRACKING_URI || env.MLFLOW_TRACKING_URI || undefined;
}

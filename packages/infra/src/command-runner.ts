/**
 * Runs an external program (terraform) with its output streamed line by line to a Logger. The
 * interface lets tests put a fake `terraform` on PATH or record calls without one.
 */
import { spawn } from 'node:child_process';
import type { Logger } from '@wms/core';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Set when the command was interrupted for running past timeoutMs. */
  timedOut?: boolean;
}

export interface CommandOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Print stdout lines to the log (off for `terraform output -json`, which may hold secrets). */
  echoStdout?: boolean;
  /** Interrupt (SIGINT, as Ctrl-C: terraform then releases its state lock) after this long; SIGKILL 30 s later. */
  timeoutMs?: number;
}

export type CommandRunner = (
  command: string,
  args: readonly string[],
  options: CommandOptions,
) => Promise<CommandResult>;

export function createSpawnRunner(logger: Logger): CommandRunner {
  return (command, args, options) =>
    new Promise((resolve, reject) => {
      const child = spawn(command, [...args], {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      const lines = (sink: (line: string) => void) => {
        let pending = '';
        return (chunk: Buffer) => {
          pending += chunk.toString();
          const parts = pending.split(/\r?\n/);
          pending = parts.pop() ?? '';
          for (const line of parts) sink(line);
        };
      };
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      if (options.echoStdout !== false)
        child.stdout.on(
          'data',
          lines((l) => logger.info(l)),
        );
      child.stderr.on(
        'data',
        lines((l) => logger.info(l)),
      );
      child.on('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'ENOENT'
            ? Object.assign(new Error(`${command} was not found on PATH`), { code: 'ENOENT' })
            : error,
        ),
      );
      let timedOut = false;
      let killer: NodeJS.Timeout | undefined;
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              child.kill('SIGINT');
              killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
            }, options.timeoutMs);
      let settled = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(killer);
        resolve({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr, ...(timedOut ? { timedOut } : {}) });
      };
      child.on('close', finish);
      // An interrupted command's own children may keep its pipes open: do not wait for them.
      child.on('exit', (code, signal) => {
        if (timedOut) setTimeout(() => finish(code, signal), 1000);
      });
    });
}

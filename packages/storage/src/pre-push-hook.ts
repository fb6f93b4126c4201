/**
 * The pre-push hook: installed into this repository's hooks folder only (never a global
 * core.hooksPath), it hands git's pre-push arguments and stdin to `wms data push --hook`.
 * A hook that was already there is kept and run first.
 */
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { UserError } from '@wms/core';
import { runGit } from './git';

export const HOOK_MARKER = '# Installed by `wms hooks install`';
export const CHAINED_HOOK = 'pre-push.wms-chained';

export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line for the hook from argv-style words. */
export function quoteCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}

/** `commandLine` is a shell fragment that runs the wms CLI (see quoteCommand). */
export function renderPrePushHook(commandLine: string): string {
  return [
    '#!/bin/sh',
    `${HOOK_MARKER}: versions new training data before a push reaches main.`,
    '# Bypass once with `git push --no-verify`; remove this file to uninstall.',
    'input=$(cat)',
    'hookdir=$(dirname "$0")',
    `if [ -x "$hookdir/${CHAINED_HOOK}" ]; then`,
    `  printf '%s\\n' "$input" | "$hookdir/${CHAINED_HOOK}" "$@" || exit $?`,
    'fi',
    `printf '%s\\n' "$input" | ${commandLine} data push --hook "$@"`,
    '',
  ].join('\n');
}

export interface InstallResult {
  path: string;
  /** A foreign hook that now runs first, from pre-push.wms-chained. */
  chained?: string;
  updated: boolean;
}

/** Writes the hook into the repository's own hooks folder; `command` runs the wms CLI. */
export async function installPrePushHook(repoDir: string, commandLine: string): Promise<InstallResult> {
  const hooksPath = await runGit(repoDir, ['config', '--get', 'core.hooksPath'], { allowFailure: true });
  const hooksDir = resolve(repoDir, (await runGit(repoDir, ['rev-parse', '--git-path', 'hooks'])).stdout.trim());
  if (hooksPath.stdout.trim()) {
    const rel = relative(repoDir, hooksDir);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw new UserError(
        `core.hooksPath is ${hooksPath.stdout.trim()}, outside this repository; installing there would change other repositories too.`,
        {
          hint: 'Unset it for this repository (`git config --unset core.hooksPath`) or add the hook to that folder yourself.',
        },
      );
    }
  }
  const path = join(hooksDir, 'pre-push');
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  let chained: string | undefined;
  if (existing !== undefined && !existing.includes(HOOK_MARKER)) {
    chained = join(hooksDir, CHAINED_HOOK);
    await rename(path, chained);
  }
  await writeFile(path, renderPrePushHook(commandLine), { mode: 0o755 });
  await chmod(path, 0o755);
  return { path, chained, updated: existing !== undefined && chained === undefined };
}

export interface PrePushUpdate {
  localRef: string;
  localSha: string;
  remoteRef: string;
  remoteSha: string;
}

const ZERO_SHA = /^0+$/;

/** git's pre-push stdin: "<local ref> <local sha> <remote ref> <remote sha>" per line. */
export function parsePrePushInput(text: string): PrePushUpdate[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [localRef, localSha, remoteRef, remoteSha] = line.split(/\s+/);
      if (!localRef || !localSha || !remoteRef || !remoteSha) {
        throw new UserError(`Unexpected pre-push input line ${JSON.stringify(line)}; expected four fields from git.`);
      }
      return { localRef, localSha, remoteRef, remoteSha };
    });
}

/** The update that pushes commits to a protected branch (not a deletion), if any. */
export function protectedUpdate(
  updates: PrePushUpdate[],
  protectedBranches: readonly string[],
): PrePushUpdate | undefined {
  const refs = new Set(protectedBranches.map((b) => (b.startsWith('refs/') ? b : `refs/heads/${b}`)));
  return updates.find((u) => refs.has(u.remoteRef) && !ZERO_SHA.test(u.localSha));
}

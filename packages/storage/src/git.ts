/**
 * The few git operations data versioning needs, through the git binary (plumbing only, so the
 * person's working tree, index and current branch are never touched).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@wms/core';

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface GitRunOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  /** Return a non-zero exit instead of throwing. */
  allowFailure?: boolean;
}

export function runGit(cwd: string, args: string[], options: GitRunOptions = {}): Promise<GitResult> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      'git',
      args,
      { cwd, env: { ...process.env, ...options.env }, maxBuffer: 256 * 1024 * 1024, encoding: 'buffer' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        if (error && typeof error.code !== 'number') {
          reject(new UserError(`Could not run git (${error.message}).`, { hint: 'Install git and put it on PATH.' }));
          return;
        }
        const result = { stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8'), code };
        if (code !== 0 && !options.allowFailure) {
          reject(new Error(`git ${args.join(' ')} failed (exit ${code}): ${result.stderr.trim()}`));
          return;
        }
        resolvePromise(result);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

export async function repositoryRoot(cwd: string): Promise<string> {
  const result = await runGit(cwd, ['rev-parse', '--show-toplevel'], { allowFailure: true });
  if (result.code !== 0) {
    throw new UserError(`${cwd} is not inside a git repository.`, { hint: 'Run the command from your clone.' });
  }
  return result.stdout.trim();
}

export async function gitDir(repoDir: string): Promise<string> {
  const result = await runGit(repoDir, ['rev-parse', '--absolute-git-dir']);
  return result.stdout.trim();
}

export async function resolveCommit(repoDir: string, rev: string): Promise<string | undefined> {
  const result = await runGit(repoDir, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { allowFailure: true });
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/** The file's content at a commit, or undefined when the commit has no such file. */
export async function showFile(repoDir: string, commit: string, path: string): Promise<string | undefined> {
  const result = await runGit(repoDir, ['show', `${commit}:${path}`], { allowFailure: true });
  return result.code === 0 ? result.stdout : undefined;
}

export async function lsRemoteRef(repoDir: string, remote: string, ref: string): Promise<string | undefined> {
  const result = await runGit(repoDir, ['ls-remote', remote, ref], { allowFailure: true });
  if (result.code !== 0) {
    throw new UserError(`Could not read ${ref} from the git remote "${remote}": ${result.stderr.trim()}`, {
      hint: 'Check the remote name (--git-remote) and that you can fetch from it.',
    });
  }
  const line = result.stdout.split('\n').find((l) => l.endsWith(`\t${ref}`));
  return line?.split('\t')[0];
}

/** Fetches one remote ref into a local ref (so its objects stay) and returns its commit, or undefined if absent. */
export async function fetchRef(
  repoDir: string,
  remote: string,
  ref: string,
  localRef: string,
): Promise<string | undefined> {
  const sha = await lsRemoteRef(repoDir, remote, ref);
  if (!sha) return undefined;
  await runGit(repoDir, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', remote, `+${ref}:${localRef}`]);
  return (await resolveCommit(repoDir, localRef)) ?? sha;
}

const FALLBACK_IDENTITY = {
  GIT_AUTHOR_NAME: 'WMS data push',
  GIT_AUTHOR_EMAIL: 'wms-data@localhost',
  GIT_COMMITTER_NAME: 'WMS data push',
  GIT_COMMITTER_EMAIL: 'wms-data@localhost',
};

async function identityEnv(repoDir: string): Promise<NodeJS.ProcessEnv> {
  const email = await runGit(repoDir, ['config', 'user.email'], { allowFailure: true });
  return email.stdout.trim() ? {} : FALLBACK_IDENTITY;
}

export interface FileToCommit {
  path: string;
  content: string | Buffer;
}

/**
 * A commit whose tree is `baseCommit`'s tree (or empty) with `files` written in, made with a
 * private index file: the working tree and the real index stay as they are.
 */
export async function commitFiles(
  repoDir: string,
  options: { baseCommit?: string; parents: string[]; files: FileToCommit[]; message: string },
): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), 'wms-index-'));
  const env = { ...(await identityEnv(repoDir)), GIT_INDEX_FILE: join(scratch, 'index') };
  try {
    await runGit(repoDir, options.baseCommit ? ['read-tree', options.baseCommit] : ['read-tree', '--empty'], { env });
    for (const file of options.files) {
      const blob = (
        await runGit(repoDir, ['hash-object', '-w', '--stdin'], { input: file.content, env })
      ).stdout.trim();
      await runGit(repoDir, ['update-index', '--add', '--cacheinfo', `100644,${blob},${file.path}`], { env });
    }
    const tree = (await runGit(repoDir, ['write-tree'], { env })).stdout.trim();
    const parents = options.parents.flatMap((p) => ['-p', p]);
    return (await runGit(repoDir, ['commit-tree', tree, ...parents, '-m', options.message], { env })).stdout.trim();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export type PushOutcome = { ok: true } | { ok: false; rejected: boolean; message: string };

/**
 * `git push <remote> <commit>:<ref>` without force and without running hooks (this push happens
 * inside the pre-push hook). `rejected` means the ref moved under us (the compare-and-set lost).
 */
export async function pushRef(repoDir: string, remote: string, commit: string, ref: string): Promise<PushOutcome> {
  const result = await runGit(repoDir, ['push', '--no-verify', '--porcelain', remote, `${commit}:${ref}`], {
    allowFailure: true,
  });
  if (result.code === 0) return { ok: true };
  const text = `${result.stdout}\n${result.stderr}`;
  const rejected =
    /\[rejected\]|non-fast-forward|fetch first|failed to lock|stale info|cannot lock ref|already exists/i.test(text);
  return { ok: false, rejected, message: text.trim() };
}

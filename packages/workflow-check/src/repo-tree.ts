/**
 * Where the checker reads a repository from: the working tree, or a commit (`git show REF:path`),
 * so the release can check the consumer contract against exactly the tagged tree.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadAction, loadWorkflow, type ActionManifest, type WorkflowModel } from './model';

export interface RepoTree {
  /** Shown in findings, e.g. "working tree" or "v1.2.0". */
  label: string;
  read(path: string): string | undefined;
  /** File names directly under a folder (empty when absent). */
  list(dir: string): string[];
}

export function workingTree(root: string): RepoTree {
  return {
    label: 'working tree',
    read: (path) => {
      const full = join(root, path);
      return existsSync(full) && statSync(full).isFile() ? readFileSync(full, 'utf8') : undefined;
    },
    list: (dir) => {
      const full = join(root, dir);
      return existsSync(full) && statSync(full).isDirectory() ? readdirSync(full).sort() : [];
    },
  };
}

export function gitTree(root: string, ref: string): RepoTree {
  // Bundles are tens of MB: execFileSync's default 1 MB buffer would make them look absent.
  const git = (args: string[]) =>
    execFileSync('git', ['-C', root, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 1 << 30,
    });
  return {
    label: ref,
    read: (path) => {
      try {
        return git(['show', `${ref}:${path}`]);
      } catch {
        return undefined;
      }
    },
    list: (dir) => {
      try {
        return git(['ls-tree', '--name-only', `${ref}:${dir}`])
          .split('\n')
          .filter(Boolean)
          .sort();
      } catch {
        return [];
      }
    },
  };
}

/** actions/x → its manifest (action.yml, else action.yaml), or undefined. */
export function readAction(tree: RepoTree, dir: string): ActionManifest | undefined {
  for (const name of ['action.yml', 'action.yaml']) {
    const path = dir ? `${dir}/${name}` : name;
    const text = tree.read(path);
    if (text !== undefined) return loadAction(dir, path, text);
  }
  return undefined;
}

export function readWorkflow(tree: RepoTree, path: string): WorkflowModel | undefined {
  const text = tree.read(path);
  return text === undefined ? undefined : loadWorkflow(path, text);
}

export function listWorkflows(tree: RepoTree, dir = '.github/workflows'): string[] {
  return tree
    .list(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => `${dir}/${name}`);
}

export function listActions(tree: RepoTree, dir = 'actions'): string[] {
  return tree
    .list(dir)
    .map((name) => `${dir}/${name}`)
    .filter((path) => readAction(tree, path) !== undefined);
}

/** A tree from path → text, for tests and for checking files that are not written anywhere. */
export function memoryTree(files: Record<string, string>, label = 'test tree'): RepoTree {
  return {
    label,
    read: (path) => files[path],
    list: (dir) =>
      [
        ...new Set(
          Object.keys(files)
            .filter((p) => p.startsWith(`${dir}/`))
            .map((p) => p.slice(dir.length + 1).split('/')[0] as string),
        ),
      ].sort(),
  };
}

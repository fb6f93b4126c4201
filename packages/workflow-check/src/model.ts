/**
 * The parts of workflows and action manifests the project's own rules look at: what each job and
 * step uses, the inputs it passes, the ids and outputs it declares, and where each sits.
 */
import type { Node } from 'yaml';
import {
  entries,
  getNode,
  items,
  parseYamlFile,
  scalarsUnder,
  scalarText,
  type ScalarAt,
  type YamlFile,
} from './yaml-source';

/**
 * How a `uses:` value resolves. `local` (`./path`) is read from the job's workspace, i.e. from
 * whatever was checked out there — in a called workflow that is the caller's repository. `self`
 * (`$/path`, GitHub's self-repository syntax, July 2026) is the repository of the workflow file
 * itself at the commit that is running.
 */
export type UsesRef =
  | { kind: 'local' | 'self'; raw: string; path: string }
  | { kind: 'remote'; raw: string; owner: string; repo: string; path: string; ref: string }
  | { kind: 'docker'; raw: string };

export function parseUses(raw: string): UsesRef | { kind: 'invalid'; raw: string } {
  const value = raw.trim();
  if (value.startsWith('docker://')) return { kind: 'docker', raw };
  if (value.startsWith('./')) return { kind: 'local', raw, path: normalizePath(value.slice(2)) };
  if (value.startsWith('$/')) return { kind: 'self', raw, path: normalizePath(value.slice(2)) };
  const match = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)((?:\/[^@]+)?)@(.+)$/.exec(value);
  if (!match) return { kind: 'invalid', raw };
  const [, owner, repo, path, ref] = match as unknown as [string, string, string, string, string];
  return { kind: 'remote', raw, owner, repo, path: normalizePath(path.replace(/^\//, '')), ref };
}

function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

export interface WithValue {
  value: string;
  line: number;
}

export interface StepModel {
  index: number;
  line: number;
  id?: string;
  uses?: UsesRef | { kind: 'invalid'; raw: string };
  usesLine: number;
  with: Record<string, WithValue>;
  run?: string;
  /** Every scalar of the step, for expression references. */
  scalars: ScalarAt[];
}

export interface JobModel {
  id: string;
  line: number;
  needs: string[];
  uses?: UsesRef | { kind: 'invalid'; raw: string };
  usesLine: number;
  with: Record<string, WithValue>;
  secrets: Record<string, WithValue> | 'inherit';
  outputs: Record<string, WithValue>;
  steps: StepModel[];
  /** Scalars of the job outside its steps and outputs (if, env, with, strategy…). */
  scalars: ScalarAt[];
  hasTimeout: boolean;
  hasPermissions: boolean;
  /** The job's own `permissions:`, undefined when it sets none. */
  permissions?: Permissions;
}

/** Scope → 'read' | 'write' | 'none', or the shorthands. */
export type Permissions = Record<string, string> | 'read-all' | 'write-all';

function permissionsOf(node: Node | undefined): Permissions | undefined {
  if (node === undefined) return undefined;
  const short = scalarText(node);
  if (short === 'read-all' || short === 'write-all') return short;
  return Object.fromEntries(entries(node).map((e) => [e.key, scalarText(e.value) ?? 'none']));
}

export interface CallInput {
  required: boolean;
  hasDefault: boolean;
  line: number;
}

export interface WorkflowModel {
  file: YamlFile;
  triggers: string[];
  /** Present when the workflow can be called (`on: workflow_call`). */
  call?: {
    inputs: Record<string, CallInput>;
    secrets: Record<string, CallInput>;
    outputs: Record<string, WithValue>;
  };
  jobs: JobModel[];
  /** Top-level `permissions:` present (the default for every job that sets none). */
  hasPermissions: boolean;
  permissions?: Permissions;
}

function withValues(file: YamlFile, node: Node | undefined): Record<string, WithValue> {
  const out: Record<string, WithValue> = {};
  for (const e of entries(node)) {
    out[e.key] = { value: scalarText(e.value) ?? '', line: file.lineOf(e.keyNode) };
  }
  return out;
}

function usesOf(node: Node | undefined) {
  const text = scalarText(node);
  return text === undefined ? undefined : parseUses(text);
}

function loadStep(file: YamlFile, node: Node, index: number): StepModel {
  const usesNode = getNode(node, 'uses');
  return {
    index,
    line: file.lineOf(node),
    id: scalarText(getNode(node, 'id')),
    uses: usesOf(usesNode),
    usesLine: file.lineOf(usesNode ?? node),
    with: withValues(file, getNode(node, 'with')),
    run: scalarText(getNode(node, 'run')),
    scalars: scalarsUnder(file, node),
  };
}

function callInputs(file: YamlFile, node: Node | undefined): Record<string, CallInput> {
  const out: Record<string, CallInput> = {};
  for (const e of entries(node)) {
    out[e.key] = {
      required: scalarText(getNode(e.value, 'required')) === 'true',
      hasDefault: getNode(e.value, 'default') !== undefined,
      line: file.lineOf(e.keyNode),
    };
  }
  return out;
}

function triggersOf(on: Node | undefined): string[] {
  const single = scalarText(on);
  if (single !== undefined) return [single];
  const list = items(on).map(scalarText);
  if (list.length > 0) return list.filter((t): t is string => t !== undefined);
  return entries(on).map((e) => e.key);
}

export function loadWorkflow(path: string, text: string): WorkflowModel {
  const file = parseYamlFile(path, text);
  const on = getNode(file.root, 'on');
  const triggers = triggersOf(on);
  const callNode = getNode(on, 'workflow_call');
  const call = triggers.includes('workflow_call')
    ? {
        inputs: callInputs(file, getNode(callNode, 'inputs')),
        secrets: callInputs(file, getNode(callNode, 'secrets')),
        outputs: Object.fromEntries(
          entries(getNode(callNode, 'outputs')).map((e) => [
            e.key,
            { value: scalarText(getNode(e.value, 'value')) ?? '', line: file.lineOf(e.keyNode) },
          ]),
        ),
      }
    : undefined;
  const jobs = entries(getNode(file.root, 'jobs')).map(({ key, keyNode, value }): JobModel => {
    const needsNode = getNode(value, 'needs');
    const needs =
      scalarText(needsNode) !== undefined
        ? [scalarText(needsNode) as string]
        : items(needsNode).map((n) => scalarText(n) ?? '');
    const secretsNode = getNode(value, 'secrets');
    const usesNode = getNode(value, 'uses');
    const outside = entries(value).filter((e) => e.key !== 'steps' && e.key !== 'outputs');
    return {
      id: key,
      line: file.lineOf(keyNode),
      needs,
      uses: usesOf(usesNode),
      usesLine: file.lineOf(usesNode ?? keyNode),
      with: withValues(file, getNode(value, 'with')),
      secrets: scalarText(secretsNode) === 'inherit' ? 'inherit' : withValues(file, secretsNode),
      outputs: withValues(file, getNode(value, 'outputs')),
      steps: items(getNode(value, 'steps')).map((step, index) => loadStep(file, step, index)),
      scalars: outside.flatMap((e) => scalarsUnder(file, e.value, [e.key])),
      hasTimeout: getNode(value, 'timeout-minutes') !== undefined,
      hasPermissions: getNode(value, 'permissions') !== undefined,
      permissions: permissionsOf(getNode(value, 'permissions')),
    };
  });
  const permissions = permissionsOf(getNode(file.root, 'permissions'));
  return { file, triggers, call, jobs, hasPermissions: permissions !== undefined, permissions };
}

export interface ActionManifest {
  /** Repository-relative folder, e.g. actions/train. */
  dir: string;
  file: YamlFile;
  using: string;
  inputs: Record<string, { required: boolean; hasDefault: boolean; description: string; default?: string }>;
  outputs: Record<string, { description: string }>;
  /** Composite actions' steps (their `uses:` are followed like a workflow's). */
  steps: StepModel[];
}

export function loadAction(dir: string, path: string, text: string): ActionManifest {
  const file = parseYamlFile(path, text);
  const inputs: ActionManifest['inputs'] = {};
  for (const e of entries(getNode(file.root, 'inputs'))) {
    const defaultNode = getNode(e.value, 'default');
    inputs[e.key] = {
      required: scalarText(getNode(e.value, 'required')) === 'true',
      hasDefault: defaultNode !== undefined && scalarText(defaultNode) !== undefined,
      description: scalarText(getNode(e.value, 'description')) ?? '',
      default: scalarText(defaultNode),
    };
  }
  const outputs: ActionManifest['outputs'] = {};
  for (const e of entries(getNode(file.root, 'outputs'))) {
    outputs[e.key] = { description: scalarText(getNode(e.value, 'description')) ?? '' };
  }
  const runs = getNode(file.root, 'runs');
  return {
    dir,
    file,
    using: scalarText(getNode(runs, 'using')) ?? '',
    inputs,
    outputs,
    steps: items(getNode(runs, 'steps')).map((step, index) => loadStep(file, step, index)),
  };
}

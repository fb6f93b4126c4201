/**
 * The project's own workflow rules — what actionlint and GitHub's parser cannot know because they
 * do not read this repository's action.yml files:
 *
 * - uses-exists      every `uses: ./X` / `$/X` names an action folder or workflow file that exists
 * - unknown-input    every `with:` key is an input of that action (or of the called workflow; for
 *                    pinned third-party actions, of their action.yml at the pin: known-actions.json)
 * - required-input   every required input without a default is given (secrets too)
 * - step-output      every `steps.S.outputs.O` names an earlier step S of the job that produces O
 * - needs-output     every `needs.J.outputs.O` names a job in `needs:` that declares O
 * - call-output      every `jobs.J.outputs.O` of `on.workflow_call.outputs` is declared by job J
 * - self-reference   a callable workflow uses its own actions with `$/`, never `./` (which would
 *                    resolve in the caller's checkout)
 * - pinned           third-party actions are pinned by full commit SHA with a `# vX.Y.Z` comment
 * - timeout          every job that runs steps has `timeout-minutes` (a called workflow's jobs
 *                    carry their own; GitHub refuses the key on a calling job)
 * - permissions      top-level `permissions:` (or one on every job), so no job silently gets the
 *                    repository's default token scopes
 * - call-permissions a called workflow's jobs ask for no more than the calling job allows
 *                    (permissions.ts)
 */
import type { ActionManifest, JobModel, StepModel, UsesRef, WorkflowModel } from './model';
import KNOWN_ACTIONS from './known-actions.json';
import { checkCallPermissions, effectivePermissions } from './permissions';
import { readAction, readWorkflow, type RepoTree } from './repo-tree';
import type { ScalarAt } from './yaml-source';

export type RuleId =
  | 'uses-exists'
  | 'unknown-input'
  | 'required-input'
  | 'step-output'
  | 'needs-output'
  | 'call-output'
  | 'self-reference'
  | 'pinned'
  | 'timeout'
  | 'permissions'
  | 'call-permissions'
  | 'actionlint'
  | 'github-parser'
  | 'consumer-ref';

export interface Finding {
  file: string;
  line: number;
  rule: RuleId;
  message: string;
}

export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}: [${f.rule}] ${f.message}`;
}

/** Expression texts inside a scalar: `${{ … }}` parts, or the whole of an `if:` written bare. */
export function expressionsIn(scalar: ScalarAt): string[] {
  const found = [...scalar.text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1] ?? '');
  if (found.length === 0 && scalar.key === 'if') return [scalar.text];
  return found;
}

interface Ref {
  owner: string;
  name: string;
  line: number;
}

function refsIn(scalars: ScalarAt[], context: 'steps' | 'needs' | 'jobs'): Ref[] {
  const pattern = new RegExp(`\\b${context}\\.([A-Za-z_][\\w-]*)\\.outputs\\.([A-Za-z_][\\w-]*)`, 'g');
  return scalars.flatMap((s) =>
    expressionsIn(s).flatMap((expr) =>
      [...expr.matchAll(pattern)].map((m) => ({ owner: m[1] ?? '', name: m[2] ?? '', line: s.line })),
    ),
  );
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Does this run script write `name` to $GITHUB_OUTPUT (`name=…` or a `name<<EOF` heredoc)? */
export function runWritesOutput(run: string, name: string): boolean {
  return /GITHUB_OUTPUT/.test(run) && new RegExp(`(^|[^\\w-])${escapeRegExp(name)}(=|<<)`, 'm').test(run);
}

export interface RuleOptions {
  /** The repository's own policy (SHA pins, timeouts, permissions): on for .github/workflows. */
  requirePins: boolean;
}

type Resolved =
  { kind: 'action'; manifest: ActionManifest } | { kind: 'workflow'; workflow: WorkflowModel } | undefined;

function isWorkflowPath(path: string): boolean {
  // GitHub requires .github/workflows/ (its parser says so); act runs copies from elsewhere.
  return /\.ya?ml$/.test(path);
}

/** What a local or self `uses:` points at in this repository. */
function resolveLocal(tree: RepoTree, uses: UsesRef): Resolved {
  if (uses.kind !== 'local' && uses.kind !== 'self') return undefined;
  if (isWorkflowPath(uses.path)) {
    const workflow = readWorkflow(tree, uses.path);
    return workflow ? { kind: 'workflow', workflow } : undefined;
  }
  const manifest = readAction(tree, uses.path);
  return manifest ? { kind: 'action', manifest } : undefined;
}

function checkUses(
  file: string,
  owner: string,
  uses: StepModel['uses'],
  line: number,
  lineText: string,
  tree: RepoTree,
  callable: boolean,
  options: RuleOptions,
  findings: Finding[],
): Resolved {
  if (!uses) return undefined;
  const add = (rule: RuleId, message: string) => findings.push({ file, line, rule, message });
  if (uses.kind === 'invalid' || uses.kind === 'docker') return undefined;
  if (uses.kind === 'remote') {
    if (options.requirePins) {
      if (!/^[0-9a-f]{40}$/.test(uses.ref)) {
        add(
          'pinned',
          `${owner} uses ${uses.raw}: pin third-party actions by full commit SHA (40 hex digits), not '${uses.ref}'`,
        );
      } else if (!/#\s*v\d+(\.\d+)*/.test(lineText)) {
        add('pinned', `${owner} uses ${uses.raw}: add a '# vX.Y.Z' comment naming the release the SHA is`);
      }
    }
    return undefined;
  }
  if (uses.kind === 'local' && callable) {
    add(
      'self-reference',
      `${owner} uses ${uses.raw} in a workflow that other repositories call: './' resolves in the caller's checkout; write '$/${uses.path}' (this repository at the running commit)`,
    );
  }
  const resolved = resolveLocal(tree, uses);
  if (!resolved) {
    const what = isWorkflowPath(uses.path) ? 'workflow file' : 'action (action.yml or action.yaml)';
    add('uses-exists', `${owner} uses ${uses.raw}, but there is no ${what} at ${uses.path} in the ${tree.label}`);
  }
  return resolved;
}

function checkInputs(
  file: string,
  owner: string,
  target: string,
  declared: Record<string, { required: boolean; hasDefault: boolean }>,
  given: Record<string, { line: number }>,
  line: number,
  findings: Finding[],
  kind = 'input',
): void {
  for (const [name, value] of Object.entries(given)) {
    if (!(name in declared)) {
      const known = Object.keys(declared).join(', ') || '(none)';
      findings.push({
        file,
        line: value.line,
        rule: 'unknown-input',
        message: `${owner} passes ${kind} '${name}', which ${target} does not declare (${kind}s: ${known})`,
      });
    }
  }
  for (const [name, input] of Object.entries(declared)) {
    if (input.required && !input.hasDefault && !(name in given)) {
      findings.push({
        file,
        line,
        rule: 'required-input',
        message: `${owner} does not pass required ${kind} '${name}' of ${target}`,
      });
    }
  }
}

interface KnownAction {
  release: string;
  inputs: Record<string, { required: boolean; hasDefault: boolean }>;
  outputs: string[];
}

/**
 * A pinned third-party action's inputs and outputs, read from its action.yml at the pinned commit
 * (scripts/known-actions.ts); undefined for pins not recorded there.
 */
export function knownAction(uses: StepModel['uses']): (KnownAction & { name: string }) | undefined {
  if (!uses || uses.kind !== 'remote' || uses.path !== '') return undefined;
  const name = `${uses.owner}/${uses.repo}`;
  const known = (KNOWN_ACTIONS as Record<string, KnownAction>)[`${name}@${uses.ref}`];
  return known ? { ...known, name } : undefined;
}

function outputsOfStep(
  tree: RepoTree,
  step: StepModel,
): { known: boolean; has: (name: string) => boolean; what: string } {
  if (step.run !== undefined) {
    return {
      known: true,
      has: (name) => runWritesOutput(step.run ?? '', name),
      what: `run step '${step.id}' does not write it to $GITHUB_OUTPUT`,
    };
  }
  const known = knownAction(step.uses);
  if (known) {
    return {
      known: true,
      has: (name) => known.outputs.includes(name),
      what: `${known.name} ${known.release} has outputs: ${known.outputs.join(', ') || '(none)'}`,
    };
  }
  const resolved = step.uses && step.uses.kind !== 'invalid' ? resolveLocal(tree, step.uses) : undefined;
  if (resolved?.kind === 'action') {
    const names = Object.keys(resolved.manifest.outputs);
    return {
      known: true,
      has: (name) => names.includes(name),
      what: `${resolved.manifest.dir} has outputs: ${names.join(', ') || '(none)'}`,
    };
  }
  return { known: false, has: () => true, what: '' };
}

function checkStepRefs(
  file: string,
  job: JobModel | { id: string; steps: StepModel[] },
  refs: Ref[],
  stepsBefore: (line: number) => StepModel[],
  tree: RepoTree,
  findings: Finding[],
): void {
  for (const ref of refs) {
    const producer = stepsBefore(ref.line).find((s) => s.id === ref.owner);
    if (!producer) {
      const ids = stepsBefore(ref.line)
        .map((s) => s.id)
        .filter(Boolean);
      findings.push({
        file,
        line: ref.line,
        rule: 'step-output',
        message: `steps.${ref.owner}.outputs.${ref.name}: job '${job.id}' has no step with id '${ref.owner}' before this point (ids: ${ids.join(', ') || '(none)'})`,
      });
      continue;
    }
    const outputs = outputsOfStep(tree, producer);
    if (outputs.known && !outputs.has(ref.name)) {
      findings.push({
        file,
        line: ref.line,
        rule: 'step-output',
        message: `steps.${ref.owner}.outputs.${ref.name} is never produced: ${outputs.what}`,
      });
    }
  }
}

function jobOutputs(tree: RepoTree, job: JobModel): string[] | undefined {
  if (job.uses && job.uses.kind !== 'invalid') {
    const resolved = resolveLocal(tree, job.uses);
    if (resolved?.kind === 'workflow') return Object.keys(resolved.workflow.call?.outputs ?? {});
    return undefined; // remote workflow: not ours to know
  }
  return Object.keys(job.outputs);
}

function lineText(workflow: { file: { text: string } }, line: number): string {
  return workflow.file.text.split('\n')[line - 1] ?? '';
}

/** Every rule above, on one workflow file. */
export function checkWorkflow(workflow: WorkflowModel, tree: RepoTree, options: RuleOptions): Finding[] {
  const findings: Finding[] = [];
  const file = workflow.file.path;
  const callable = workflow.call !== undefined;
  const jobsById = new Map(workflow.jobs.map((j) => [j.id, j]));

  const unscoped = workflow.jobs.filter((j) => !j.hasPermissions).map((j) => j.id);
  if (options.requirePins && !workflow.hasPermissions && unscoped.length > 0) {
    findings.push({
      file,
      line: 1,
      rule: 'permissions',
      message: `no top-level permissions and jobs ${unscoped.join(', ')} set none: they get the repository's default token scopes; set \`permissions: contents: read\` at the top (jobs ask for more)`,
    });
  }
  for (const job of workflow.jobs) {
    if (options.requirePins && !job.uses && !job.hasTimeout) {
      findings.push({
        file,
        line: job.line,
        rule: 'timeout',
        message: `job '${job.id}' has no timeout-minutes (the default is 6 hours)`,
      });
    }
    const resolvedJob = checkUses(
      file,
      `job '${job.id}'`,
      job.uses,
      job.usesLine,
      lineText(workflow, job.usesLine),
      tree,
      callable,
      options,
      findings,
    );
    if (resolvedJob?.kind === 'workflow') {
      const call = resolvedJob.workflow.call;
      if (!call) {
        findings.push({
          file,
          line: job.usesLine,
          rule: 'uses-exists',
          message: `job '${job.id}' calls ${resolvedJob.workflow.file.path}, which has no 'on: workflow_call'`,
        });
      } else {
        checkInputs(
          file,
          `job '${job.id}'`,
          resolvedJob.workflow.file.path,
          call.inputs,
          job.with,
          job.usesLine,
          findings,
        );
        if (job.secrets !== 'inherit')
          checkInputs(
            file,
            `job '${job.id}'`,
            resolvedJob.workflow.file.path,
            call.secrets,
            job.secrets,
            job.usesLine,
            findings,
            'secret',
          );
        const allowed = effectivePermissions(job, workflow);
        if (allowed) {
          findings.push(
            ...checkCallPermissions({ file, line: job.usesLine, job: job.id }, allowed, resolvedJob.workflow, tree),
          );
        }
      }
    }

    for (const step of job.steps) {
      const owner = `job '${job.id}' step ${step.id ? `'${step.id}'` : step.index + 1}`;
      const resolved = checkUses(
        file,
        owner,
        step.uses,
        step.usesLine,
        lineText(workflow, step.usesLine),
        tree,
        callable,
        options,
        findings,
      );
      if (resolved?.kind === 'action')
        checkInputs(file, owner, resolved.manifest.dir, resolved.manifest.inputs, step.with, step.usesLine, findings);
      const known = knownAction(step.uses);
      if (known)
        checkInputs(file, owner, `${known.name} ${known.release}`, known.inputs, step.with, step.usesLine, findings);
      checkStepRefs(file, job, refsIn(step.scalars, 'steps'), () => job.steps.slice(0, step.index), tree, findings);
    }
    const outputScalars = Object.entries(job.outputs).map(([key, v]) => ({ text: v.value, line: v.line, key }));
    checkStepRefs(file, job, refsIn(outputScalars, 'steps'), () => job.steps, tree, findings);

    const allScalars = [...job.scalars, ...job.steps.flatMap((s) => s.scalars), ...outputScalars];
    for (const ref of refsIn(allScalars, 'needs')) {
      if (!job.needs.includes(ref.owner)) {
        findings.push({
          file,
          line: ref.line,
          rule: 'needs-output',
          message: `needs.${ref.owner}.outputs.${ref.name}: job '${job.id}' does not list '${ref.owner}' in needs (${job.needs.join(', ') || 'none'})`,
        });
        continue;
      }
      const producer = jobsById.get(ref.owner);
      const declared = producer ? jobOutputs(tree, producer) : [];
      if (declared && !declared.includes(ref.name)) {
        findings.push({
          file,
          line: ref.line,
          rule: 'needs-output',
          message: `needs.${ref.owner}.outputs.${ref.name}: job '${ref.owner}' declares outputs ${declared.join(', ') || '(none)'}`,
        });
      }
    }
  }

  for (const [name, output] of Object.entries(workflow.call?.outputs ?? {})) {
    for (const ref of refsIn([{ text: output.value, line: output.line, key: 'value' }], 'jobs')) {
      const producer = jobsById.get(ref.owner);
      const declared = producer ? jobOutputs(tree, producer) : [];
      if (!producer || (declared && !declared.includes(ref.name))) {
        findings.push({
          file,
          line: output.line,
          rule: 'call-output',
          message: `workflow output '${name}' reads jobs.${ref.owner}.outputs.${ref.name}, which ${producer ? `job '${ref.owner}' does not declare (${(declared ?? []).join(', ') || 'none'})` : `is not a job of this workflow`}`,
        });
      }
    }
  }
  return findings;
}

/** The same `uses:` and input rules on a composite action's steps. */
export function checkCompositeAction(manifest: ActionManifest, tree: RepoTree, options: RuleOptions): Finding[] {
  const findings: Finding[] = [];
  const file = manifest.file.path;
  for (const step of manifest.steps) {
    const owner = `${manifest.dir} step ${step.id ? `'${step.id}'` : step.index + 1}`;
    const resolved = checkUses(
      file,
      owner,
      step.uses,
      step.usesLine,
      lineText(manifest, step.usesLine),
      tree,
      false,
      options,
      findings,
    );
    if (resolved?.kind === 'action')
      checkInputs(file, owner, resolved.manifest.dir, resolved.manifest.inputs, step.with, step.usesLine, findings);
    checkStepRefs(
      file,
      { id: manifest.dir, steps: manifest.steps },
      refsIn(step.scalars, 'steps'),
      () => manifest.steps.slice(0, step.index),
      tree,
      findings,
    );
  }
  return findings;
}

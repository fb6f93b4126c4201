/**
 * The consumer contract: a repository that writes
 *   uses: <owner>/wms-pipeline/.github/workflows/train.yml@v1
 * must get every action and reusable workflow of that same release. Starting from a consumer
 * workflow, this follows every `uses:` it reaches the way the runner resolves them and reports
 * anything that would not come from the product's tree at that ref:
 *
 * - `$/path` inside the product → the product at the called ref: the file must exist there
 *   (an action's action.yml and its `runs.main` bundle, a workflow file);
 * - `./path` inside the product → the CALLER's workspace, where the product's files are not;
 * - `<owner>/wms-pipeline/...@other` inside the product → a different release than the one called.
 */
import { loadWorkflow, type StepModel, type UsesRef, type WorkflowModel } from './model';
import { checkCallPermissions, effectivePermissions } from './permissions';
import { readAction, readWorkflow, type RepoTree } from './repo-tree';
import type { Finding } from './rules';
import { getNode, scalarText } from './yaml-source';

export interface Product {
  owner: string;
  repo: string;
}

export interface ConsumerResolution {
  findings: Finding[];
  /** Every product file the consumer reaches, in visiting order. */
  reached: string[];
  /** Third-party actions reached (pinned by the product's own rules). */
  thirdParty: string[];
}

const isProduct = (uses: UsesRef, product: Product) =>
  uses.kind === 'remote' &&
  uses.owner.toLowerCase() === product.owner.toLowerCase() &&
  uses.repo.toLowerCase() === product.repo.toLowerCase();

export function resolveConsumer(
  consumer: WorkflowModel,
  tree: RepoTree,
  product: Product,
  ref: string,
): ConsumerResolution {
  const out: ConsumerResolution = { findings: [], reached: [], thirdParty: [] };
  const visited = new Set<string>();
  const add = (file: string, line: number, message: string) =>
    out.findings.push({ file, line, rule: 'consumer-ref', message });
  const reach = (path: string) => {
    if (!out.reached.includes(path)) out.reached.push(path);
  };

  const visitAction = (dir: string, from: string, line: number) => {
    const manifest = readAction(tree, dir);
    if (!manifest)
      return add(from, line, `${dir} has no action.yml in ${product.owner}/${product.repo}@${ref} (${tree.label})`);
    reach(manifest.file.path);
    if (manifest.using.startsWith('node')) {
      const main = scalarText(getNode(getNode(manifest.file.root, 'runs'), 'main'));
      const mainPath = `${dir}/${main ?? ''}`;
      if (!main || tree.read(mainPath) === undefined) {
        add(
          manifest.file.path,
          1,
          `runs.main ${mainPath} is not in ${product.owner}/${product.repo}@${ref}: commit the bundle`,
        );
      } else reach(mainPath);
    }
    for (const step of manifest.steps) visitStepUses(step, manifest.file.path);
  };

  const visitWorkflow = (path: string, from: string, line: number) => {
    if (visited.has(path)) return;
    visited.add(path);
    const workflow = readWorkflow(tree, path);
    if (!workflow)
      return add(from, line, `${path} does not exist in ${product.owner}/${product.repo}@${ref} (${tree.label})`);
    if (!workflow.call) return add(from, line, `${path} has no 'on: workflow_call', so it cannot be called`);
    reach(path);
    for (const job of workflow.jobs) {
      if (job.uses) visitProductUses(job.uses, path, job.usesLine, 'workflow');
      for (const step of job.steps) visitStepUses(step, path);
    }
  };

  const visitStepUses = (step: StepModel, file: string) => {
    if (step.uses) visitProductUses(step.uses, file, step.usesLine, 'action');
  };

  /** A `uses:` inside the product's files. */
  const visitProductUses = (uses: StepModel['uses'], file: string, line: number, kind: 'workflow' | 'action') => {
    if (!uses || uses.kind === 'invalid' || uses.kind === 'docker') return;
    if (uses.kind === 'local') {
      return add(
        file,
        line,
        `${uses.raw} resolves in the calling repository's workspace, not in ${product.owner}/${product.repo}@${ref}: use '$/${uses.path}'`,
      );
    }
    if (uses.kind === 'remote') {
      if (!isProduct(uses, product)) {
        if (!out.thirdParty.includes(uses.raw)) out.thirdParty.push(uses.raw);
        return;
      }
      if (uses.ref !== ref)
        return add(file, line, `${uses.raw} pins release '${uses.ref}', not the called '${ref}': use '$/${uses.path}'`);
    }
    if (kind === 'workflow') visitWorkflow(uses.path, file, line);
    else visitAction(uses.path, file, line);
  };

  for (const job of consumer.jobs) {
    const uses = job.uses;
    if (!uses || uses.kind !== 'remote' || !isProduct(uses, product)) continue;
    if (uses.ref !== ref)
      add(consumer.file.path, job.usesLine, `job '${job.id}' calls ${uses.raw}; the contract under test is @${ref}`);
    visitWorkflow(uses.path, consumer.file.path, job.usesLine);
    const called = readWorkflow(tree, uses.path);
    const allowed = effectivePermissions(job, consumer);
    if (called?.call && allowed) {
      const at = { file: consumer.file.path, line: job.usesLine, job: job.id };
      out.findings.push(...checkCallPermissions(at, allowed, called, tree));
    }
  }
  if (out.reached.length === 0)
    add(consumer.file.path, 1, `no job calls a workflow of ${product.owner}/${product.repo}`);
  return out;
}

/** File provider for GitHub's parser: the product's files at the ref, for the consumer's calls. */
export function productFileProvider(tree: RepoTree, product: Product) {
  return {
    async getFileContent(r: { path: string } | { owner: string; repository: string; path: string; version: string }) {
      if (
        'owner' in r &&
        (r.owner.toLowerCase() !== product.owner.toLowerCase() ||
          r.repository.toLowerCase() !== product.repo.toLowerCase())
      ) {
        throw new Error(`${r.owner}/${r.repository} is not the product under test`);
      }
      const content = tree.read(r.path);
      if (content === undefined) throw new Error(`${r.path} not found in ${tree.label}`);
      return { name: r.path, content };
    },
  };
}

export { loadWorkflow };

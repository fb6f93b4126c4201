/**
 * All checks on a repository tree: every workflow under .github/workflows through actionlint,
 * GitHub's parser (with this tree's called workflows fetched one level deep) and the project's
 * rules; every action.yml under actions/ through GitHub's action parser and, when composite, the
 * same `uses:` rules.
 */
import { actionlint } from './actionlint';
import { githubParseAction, githubParseWorkflow } from './github-parser';
import { listActions, listWorkflows, readAction, readWorkflow, type RepoTree } from './repo-tree';
import { checkCompositeAction, checkWorkflow, type Finding } from './rules';

export interface RepositoryReport {
  workflows: string[];
  actions: string[];
  findings: Finding[];
}

export async function checkRepository(tree: RepoTree, o: { actionlint?: boolean } = {}): Promise<RepositoryReport> {
  const findings: Finding[] = [];
  const workflows = listWorkflows(tree);
  const provider = {
    async getFileContent(ref: { path: string } | { owner: string; repository: string; path: string; version: string }) {
      if ('owner' in ref)
        throw new Error(`remote workflow ${ref.owner}/${ref.repository}/${ref.path}@${ref.version} is not fetched`);
      const content = tree.read(ref.path);
      if (content === undefined) throw new Error(`${ref.path} not found in the ${tree.label}`);
      return { name: ref.path, content };
    },
  };
  for (const path of workflows) {
    const workflow = readWorkflow(tree, path);
    if (!workflow) continue;
    findings.push(...checkWorkflow(workflow, tree, { requirePins: true }));
    findings.push(...(await githubParseWorkflow(path, workflow.file.text, provider)));
    if (o.actionlint !== false) findings.push(...(await actionlint(path, workflow.file.text)));
  }
  const actions = listActions(tree);
  for (const dir of actions) {
    const manifest = readAction(tree, dir);
    if (!manifest) continue;
    findings.push(...githubParseAction(manifest.file.path, manifest.file.text));
    if (manifest.using === 'composite') findings.push(...checkCompositeAction(manifest, tree, { requirePins: true }));
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { workflows, actions, findings };
}

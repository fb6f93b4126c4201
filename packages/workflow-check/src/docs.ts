/**
 * Input/output tables generated from action.yml and from a reusable workflow's `workflow_call`,
 * and files embedded verbatim, between markers in markdown:
 *
 *   <!-- wms:generated action-inputs actions/train -->
 *   …generated, do not edit…
 *   <!-- wms:end -->
 *
 * Kinds: action-inputs / action-outputs <action dir>, workflow-interface <workflow path>,
 * file <path> (a fenced code block of that file). `pnpm docs` refreshes every marked block;
 * `pnpm docs --check` (and a test) fails when one is stale.
 */
import type { ActionManifest, WorkflowModel } from './model';
import { readAction, readWorkflow, type RepoTree } from './repo-tree';
import { entries, getNode, scalarText } from './yaml-source';

const cell = (text: string | undefined) =>
  (text ?? '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .trim();
const code = (text: string | undefined) => (text === undefined || text === '' ? '' : `\`${text.replace(/`/g, "'")}\``);

export function renderActionInputs(manifest: ActionManifest): string {
  const rows = Object.entries(manifest.inputs).map(
    ([name, input]) =>
      `| \`${name}\` | ${input.required && !input.hasDefault ? 'yes' : 'no'} | ${input.hasDefault ? code(input.default) || '`""`' : ''} | ${cell(input.description)} |`,
  );
  if (rows.length === 0) return '_No inputs._';
  return ['| Input | Required | Default | Description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export function renderActionOutputs(manifest: ActionManifest): string {
  const rows = Object.entries(manifest.outputs).map(([name, o]) => `| \`${name}\` | ${cell(o.description)} |`);
  if (rows.length === 0) return '_No outputs._';
  return ['| Output | Description |', '| --- | --- |', ...rows].join('\n');
}

/** Inputs, secrets and outputs of `on.workflow_call`, with their descriptions and defaults. */
export function renderWorkflowInterface(workflow: WorkflowModel): string {
  const call = getNode(getNode(workflow.file.root, 'on'), 'workflow_call');
  const section = (key: string) => entries(getNode(call, key));
  const inputs = section('inputs').map(
    (e) =>
      `| \`${e.key}\` | ${scalarText(getNode(e.value, 'type')) ?? 'string'} | ${scalarText(getNode(e.value, 'required')) === 'true' ? 'yes' : 'no'} | ${code(scalarText(getNode(e.value, 'default'))) || ''} | ${cell(scalarText(getNode(e.value, 'description')))} |`,
  );
  const secrets = section('secrets').map(
    (e) =>
      `| \`${e.key}\` | ${scalarText(getNode(e.value, 'required')) === 'true' ? 'yes' : 'no'} | ${cell(scalarText(getNode(e.value, 'description')))} |`,
  );
  const outputs = section('outputs').map(
    (e) => `| \`${e.key}\` | ${cell(scalarText(getNode(e.value, 'description')))} |`,
  );
  return [
    '| Input | Type | Required | Default | Description |',
    '| --- | --- | --- | --- | --- |',
    ...inputs,
    '',
    '| Secret | Required | Description |',
    '| --- | --- | --- |',
    ...secrets,
    '',
    '| Output | Description |',
    '| --- | --- |',
    ...outputs,
  ].join('\n');
}

const BLOCK = /(<!-- wms:generated ([a-z-]+) (\S+) -->\n)([\s\S]*?)(<!-- wms:end -->)/g;

export interface MarkedBlock {
  kind: string;
  target: string;
}

export function markedBlocks(markdown: string): MarkedBlock[] {
  return [...markdown.matchAll(BLOCK)].map((m) => ({ kind: m[2] ?? '', target: m[3] ?? '' }));
}

export function renderBlock(tree: RepoTree, block: MarkedBlock): string {
  const missing = (what: string) => {
    throw new Error(`wms:generated ${block.kind} ${block.target}: ${what}`);
  };
  switch (block.kind) {
    case 'action-inputs':
    case 'action-outputs': {
      const manifest = readAction(tree, block.target) ?? missing(`no action.yml in ${block.target}`);
      return block.kind === 'action-inputs' ? renderActionInputs(manifest) : renderActionOutputs(manifest);
    }
    case 'workflow-interface': {
      const workflow = readWorkflow(tree, block.target) ?? missing('no such workflow');
      if (!workflow.call) missing('not a workflow_call workflow');
      return renderWorkflowInterface(workflow);
    }
    case 'file': {
      const text = tree.read(block.target) ?? missing('no such file');
      const lang = /\.ya?ml$/.test(block.target) ? 'yaml' : '';
      return `\`\`\`${lang}\n${text.replace(/\n$/, '')}\n\`\`\``;
    }
    default:
      return missing(`unknown kind '${block.kind}' (action-inputs, action-outputs, workflow-interface, file)`);
  }
}

/** The markdown with every marked block regenerated (not yet formatted). */
export function refreshMarkedBlocks(markdown: string, tree: RepoTree): string {
  return markdown.replace(BLOCK, (_all, open: string, kind: string, target: string, _old: string, close: string) => {
    return `${open}\n${renderBlock(tree, { kind, target })}\n\n${close}`;
  });
}

/**
 * The YAML examples in the docs, checked against the real action.yml files: every fenced yaml
 * block that uses one of the project's actions (`./actions/x`, `$/actions/x`,
 * `<owner>/wms-pipeline/actions/x@…`) must parse, name an action that exists, pass only inputs it
 * declares and every required one — unless the example says it is abbreviated (contains `…`), then
 * only the inputs it does show are checked.
 */
import { isMap, isSeq, parseDocument, type Node } from 'yaml';
import { readAction, type RepoTree } from './repo-tree';
import type { Finding } from './rules';
import { entries, getNode, scalarText } from './yaml-source';

const OWN_ACTION = /^(?:\.\/|\$\/|[^/\s]+\/wms-pipeline\/)actions\/([a-z0-9-]+)(?:@\S+)?$/;

export interface DocExample {
  file: string;
  line: number;
  text: string;
}

export function yamlBlocks(file: string, markdown: string): DocExample[] {
  const blocks: DocExample[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*```ya?ml\s*$/.test(lines[i] ?? '')) continue;
    const end = lines.findIndex((l, j) => j > i && /^\s*```\s*$/.test(l));
    if (end < 0) break;
    blocks.push({ file, line: i + 2, text: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}

function mappings(node: Node | null | undefined): Node[] {
  if (isMap(node)) return [node, ...node.items.flatMap((p) => mappings(p.value as Node))];
  if (isSeq(node)) return node.items.flatMap((n) => mappings(n as Node));
  return [];
}

export function checkDocExample(example: DocExample, tree: RepoTree): Finding[] {
  if (!/actions\/[a-z0-9-]+/.test(example.text)) return [];
  const at = (message: string): Finding => ({ file: example.file, line: example.line, rule: 'unknown-input', message });
  const doc = parseDocument(example.text);
  if (doc.errors.length > 0) return [at(`yaml example does not parse: ${doc.errors[0]?.message ?? ''}`)];
  const findings: Finding[] = [];
  for (const node of mappings(doc.contents as Node)) {
    const uses = scalarText(getNode(node, 'uses'));
    const name = uses ? OWN_ACTION.exec(uses)?.[1] : undefined;
    if (!uses || !name) continue;
    const manifest = readAction(tree, `actions/${name}`);
    if (!manifest) {
      findings.push({ ...at(`example uses ${uses}, but actions/${name} does not exist`), rule: 'uses-exists' });
      continue;
    }
    const given = entries(getNode(node, 'with')).map((e) => e.key);
    for (const key of given) {
      if (!(key in manifest.inputs))
        findings.push(
          at(`example passes '${key}' to ${uses}; its inputs are ${Object.keys(manifest.inputs).join(', ')}`),
        );
    }
    const abbreviated = example.text.includes('…');
    for (const [key, input] of Object.entries(manifest.inputs)) {
      if (abbreviated) break;
      if (input.required && !input.hasDefault && !given.includes(key)) {
        findings.push({ ...at(`example of ${uses} leaves out required input '${key}'`), rule: 'required-input' });
      }
    }
  }
  return findings;
}

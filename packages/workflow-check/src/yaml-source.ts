/**
 * YAML with line numbers: every finding names the file and line, so the loaders keep each
 * scalar's position next to its value.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

export interface Located<T> {
  value: T;
  line: number;
}

export interface YamlFile {
  /** Repository-relative path, as shown in findings. */
  path: string;
  text: string;
  root: Node | null;
  lineOf(node: Node | null | undefined): number;
  /** Parse errors of the YAML itself (the GitHub parser and actionlint report them too). */
  errors: Located<string>[];
}

export function parseYamlFile(path: string, text: string): YamlFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: false, uniqueKeys: false });
  const lineOf = (node: Node | null | undefined): number => {
    const start = node?.range?.[0];
    return start === undefined ? 1 : lineCounter.linePos(start).line;
  };
  return {
    path,
    text,
    root: (doc.contents as Node | null) ?? null,
    lineOf,
    errors: doc.errors.map((e) => ({ value: e.message, line: e.linePos?.[0]?.line ?? 1 })),
  };
}

/** The value under `key` of a mapping node, or undefined. */
export function getNode(node: Node | null | undefined, key: string): Node | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    if (isScalar(pair.key) && String(pair.key.value) === key) return (pair.value as Node | null) ?? undefined;
  }
  return undefined;
}

/** Key → value node of a mapping (empty for anything else), keeping the key's line. */
export function entries(node: Node | null | undefined): { key: string; keyNode: Node; value: Node | undefined }[] {
  if (!isMap(node)) return [];
  return node.items
    .filter((pair) => isScalar(pair.key))
    .map((pair) => ({
      key: String((pair.key as { value: unknown }).value),
      keyNode: pair.key as Node,
      value: (pair.value as Node | null) ?? undefined,
    }));
}

export function items(node: Node | null | undefined): Node[] {
  return isSeq(node) ? (node.items as Node[]) : [];
}

/** A scalar's value as the runner sees it (YAML scalars are stringified), or undefined. */
export function scalarText(node: Node | null | undefined): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  return String(node.value);
}

/** Every scalar under a node, with its line: where expressions are searched. */
export function scalarsUnder(file: YamlFile, node: Node | null | undefined, path: string[] = []): ScalarAt[] {
  if (!node) return [];
  if (isScalar(node)) {
    const text = scalarText(node);
    return text === undefined ? [] : [{ text, line: file.lineOf(node), key: path[path.length - 1] ?? '' }];
  }
  if (isMap(node)) return entries(node).flatMap((e) => scalarsUnder(file, e.value, [...path, e.key]));
  if (isSeq(node)) return items(node).flatMap((n) => scalarsUnder(file, n, path));
  return [];
}

export interface ScalarAt {
  text: string;
  line: number;
  /** The mapping key this scalar sits under ('if' values are expressions without ${{ }}). */
  key: string;
}

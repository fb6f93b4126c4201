/**
 * GitHub's own workflow and action.yml parser (@actions/workflow-parser, the one behind the
 * VS Code extension and the language server). It ships as ES modules that import JSON schemas
 * without import attributes, which neither Node nor jest load as they are, so it is bundled once
 * with esbuild into a CommonJS file under node_modules/.cache and required from there.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Finding } from './rules';

interface TemplateErrors {
  getErrors(): { message: string }[];
}
interface ParseResult {
  context: { errors: TemplateErrors };
  value: unknown;
}
export interface ParserFile {
  name: string;
  content: string;
}
export interface FileProvider {
  getFileContent(
    ref: { path: string } | { owner: string; repository: string; path: string; version: string },
  ): Promise<ParserFile>;
}
interface WorkflowParser {
  parseWorkflow(file: ParserFile, trace: unknown): ParseResult;
  parseAction(file: ParserFile, trace: unknown): ParseResult;
  convertWorkflowTemplate(
    context: unknown,
    root: unknown,
    provider?: FileProvider,
    options?: { fetchReusableWorkflowDepth?: number },
  ): Promise<{ errors?: { Message: string }[] }>;
  NoOperationTraceWriter: new () => unknown;
}

let parser: WorkflowParser | undefined;

function packageVersion(): string {
  // Not require.resolve: the package's exports map hides package.json.
  const pkg = join(__dirname, '..', 'node_modules', '@actions', 'workflow-parser', 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

function loadParser(): WorkflowParser {
  if (parser) return parser;
  const version = packageVersion();
  const out = join(__dirname, '..', 'node_modules', '.cache', `workflow-parser-${version}.cjs`);
  if (!existsSync(out)) {
    mkdirSync(dirname(out), { recursive: true });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require('esbuild') as typeof import('esbuild');
    esbuild.buildSync({
      stdin: {
        contents: [
          "export * from '@actions/workflow-parser';",
          "export { parseAction } from '@actions/workflow-parser/actions/action-parser';",
        ].join('\n'),
        resolveDir: __dirname,
      },
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      outfile: `${out}.tmp-${process.pid}`,
      logLevel: 'error',
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('node:fs').renameSync(`${out}.tmp-${process.pid}`, out);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  parser = require(out) as WorkflowParser;
  return parser;
}

const lineOf = (message: string): number =>
  Number(/\(Line: (\d+)/.exec(message)?.[1] ?? /at line (\d+)/.exec(message)?.[1] ?? 1);

/**
 * Parses a workflow as GitHub does and converts it (jobs, needs, reusable-workflow calls). With a
 * file provider, called workflows are fetched one level deep and their inputs checked.
 */
export async function githubParseWorkflow(path: string, text: string, provider?: FileProvider): Promise<Finding[]> {
  const p = loadParser();
  const result = p.parseWorkflow({ name: path, content: text }, new p.NoOperationTraceWriter());
  const messages = result.context.errors.getErrors().map((e) => e.message);
  if (messages.length === 0 && result.value) {
    const template = await p.convertWorkflowTemplate(result.context, result.value, provider, {
      fetchReusableWorkflowDepth: provider ? 1 : 0,
    });
    messages.push(...(template.errors ?? []).map((e) => e.Message));
  }
  return [...new Set(messages)].map((message) => ({
    file: path,
    line: lineOf(message),
    rule: 'github-parser' as const,
    message,
  }));
}

export function githubParseAction(path: string, text: string): Finding[] {
  const p = loadParser();
  const result = p.parseAction({ name: path, content: text }, new p.NoOperationTraceWriter());
  return result.context.errors
    .getErrors()
    .map((e) => ({ file: path, line: lineOf(e.message), rule: 'github-parser' as const, message: e.message }));
}

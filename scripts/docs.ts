/**
 * `pnpm docs`: regenerates the marked blocks (input/output tables from action.yml and train.yml's
 * workflow_call, embedded example files) in README.md, docs/*.md and actions/*\/README.md, then
 * formats them with prettier. `pnpm docs --check` writes nothing and fails naming stale files.
 */
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { markedBlocks, refreshMarkedBlocks, workingTree } from '@wms/workflow-check';

const root = resolve(__dirname, '..');

export function documentedFiles(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  const actions = readdirSync(join(root, 'actions'))
    .map((a) => `actions/${a}/README.md`)
    .filter((f) => existsSync(join(root, f)));
  return ['README.md', ...docs, ...actions].filter((f) => markedBlocks(readFileSync(join(root, f), 'utf8')).length > 0);
}

export async function regenerate(file: string): Promise<{ current: string; expected: string }> {
  const path = join(root, file);
  const current = readFileSync(path, 'utf8');
  // Loaded here, not at the top: prettier 3 needs dynamic import(), which jest's VM lacks.
  const { format, resolveConfig } = await import('prettier');
  const config = (await resolveConfig(path)) ?? {};
  const expected = await format(refreshMarkedBlocks(current, workingTree(root)), { ...config, filepath: path });
  return { current, expected };
}

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  const files = documentedFiles();
  for (const file of files) {
    const { current, expected } = await regenerate(file);
    if (current === expected) continue;
    stale.push(file);
    if (!check) writeFileSync(join(root, file), expected);
  }
  if (check && stale.length > 0) {
    console.error(`Generated blocks are stale in: ${stale.join(', ')}\nRun: pnpm docs`);
    return 1;
  }
  console.log(`${files.length} files with generated blocks; ${check ? 'all up to date' : `${stale.length} refreshed`}`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(2);
    },
  );
}

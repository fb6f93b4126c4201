/**
 * Records the inputs and outputs of every third-party action the workflows pin, read from the
 * action's own action.yml at the pinned commit, into packages/workflow-check/src/known-actions.json;
 * `pnpm lint:workflows` then checks `with:` keys and `steps.*.outputs.*` of those steps too.
 * Needs local clones: WMS_ACTION_MIRRORS=<dir> holding <owner>+<repo>/repo (bare or not).
 *   WMS_ACTION_MIRRORS=/work/.mirror npx tsx scripts/known-actions.ts
 * A pin whose commit is not in its clone is reported and left out (its steps are then not checked).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadAction } from '@wms/workflow-check';

const root = resolve(__dirname, '..');
const mirrors = process.env.WMS_ACTION_MIRRORS;
if (!mirrors) throw new Error('set WMS_ACTION_MIRRORS to a folder with <owner>+<repo>/repo clones');

const pins = new Map<string, string>(); // owner/repo@sha → release comment
for (const file of readdirSync(join(root, '.github/workflows')).filter((f) => /\.ya?ml$/.test(f))) {
  const text = readFileSync(join(root, '.github/workflows', file), 'utf8');
  for (const m of text.matchAll(/uses:\s*([\w.-]+\/[\w.-]+)@([0-9a-f]{40})\s*(?:#\s*(v[\w.]+))?/g)) {
    pins.set(`${m[1]}@${m[2]}`, m[3] ?? '');
  }
}

const known: Record<
  string,
  { release: string; inputs: Record<string, { required: boolean; hasDefault: boolean }>; outputs: string[] }
> = {};
for (const [pin, release] of [...pins].sort()) {
  const [repo, sha] = pin.split('@') as [string, string];
  const clone = join(mirrors, repo.replace('/', '+'), 'repo');
  const show = (name: string) => {
    try {
      return execFileSync('git', ['-C', clone, 'show', `${sha}:${name}`], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      return undefined;
    }
  };
  const text = existsSync(clone) ? (show('action.yml') ?? show('action.yaml')) : undefined;
  if (!text) {
    console.warn(`${pin} (${release}): not in ${clone}; its steps stay unchecked`);
    continue;
  }
  const manifest = loadAction(repo, `${repo}/action.yml`, text);
  known[pin] = {
    release,
    inputs: Object.fromEntries(
      Object.entries(manifest.inputs).map(([k, v]) => [k, { required: v.required, hasDefault: v.hasDefault }]),
    ),
    outputs: Object.keys(manifest.outputs),
  };
  console.log(
    `${pin} (${release}): ${Object.keys(manifest.inputs).length} inputs, ${Object.keys(manifest.outputs).length} outputs`,
  );
}
writeFileSync(join(root, 'packages/workflow-check/src/known-actions.json'), `${JSON.stringify(known, null, 2)}\n`);

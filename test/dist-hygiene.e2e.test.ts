/**
 * The committed bundles are build-machine independent and pin what the lockfile pins: no
 * absolute path of the machine that built them, runs.main present, and native-modules.json
 * naming the sharp version installed from the lockfile (check-dist catches the rest).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readActionYml } from '../scripts/lib/action-yml';
import { listFiles } from '../scripts/lib/bundle-action';
import { REPO_ROOT } from '@wms/test-support';

const actions = readdirSync(join(REPO_ROOT, 'actions')).filter((n) =>
  existsSync(join(REPO_ROOT, 'actions', n, 'dist', 'index.js')),
);

function lockfileSharpVersion(): string {
  const lock = readFileSync(join(REPO_ROOT, 'pnpm-lock.yaml'), 'utf8');
  const versions = [...lock.matchAll(/^ {2}sharp@(\d+\.\d+\.\d+):/gm)].map((m) => m[1]);
  if (versions.length !== 1)
    throw new Error(`expected one sharp version in pnpm-lock.yaml, found ${versions.join(', ')}`);
  return versions[0]!;
}

describe.each(actions)('actions/%s/dist', (action) => {
  const dist = join(REPO_ROOT, 'actions', action, 'dist');

  it('has the file action.yml runs and declares node24', () => {
    const yml = readActionYml(join(REPO_ROOT, 'actions', action, 'action.yml'));
    expect(yml.runs?.using).toBe('node24');
    expect(existsSync(join(REPO_ROOT, 'actions', action, yml.runs?.main ?? 'missing'))).toBe(true);
  });

  it('contains no absolute path of the build machine', () => {
    const leaking = listFiles(dist).filter(
      (f) => /\.(js|json|txt)$/.test(f) && readFileSync(join(dist, f), 'utf8').includes(REPO_ROOT),
    );
    expect(leaking).toEqual([]);
  });

  it('ships a side entry only when its index.js loads it by name (the gate carries no training workers)', () => {
    const index = readFileSync(join(dist, 'index.js'), 'utf8');
    const sideEntries = listFiles(dist).filter((f) => f.endsWith('.js') && f !== 'index.js');
    expect(sideEntries.filter((f) => !index.includes(`"${f}"`))).toEqual([]);
  });

  it('pins native modules to the lockfile version', () => {
    const pins = JSON.parse(readFileSync(join(dist, 'native-modules.json'), 'utf8')) as Array<{
      name: string;
      version: string;
    }>;
    for (const pin of pins.filter((p) => p.name === 'sharp')) expect(pin.version).toBe(lockfileSharpVersion());
    const usesSharp = /require\("sharp"\)/.test(readFileSync(join(dist, 'index.js'), 'utf8'));
    expect(pins.some((p) => p.name === 'sharp')).toBe(usesSharp);
  });
});

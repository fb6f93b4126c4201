/**
 * Every actions/<name>/action.yml must say what actions/<name>/src/spec.ts says: the same
 * inputs with the same required flags and defaults, the same outputs, node24 and dist/index.js.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { defaultAsYaml, type ActionSpec } from '../src';

const actionsDir = resolve(__dirname, '../../../actions');
const actionNames = existsSync(actionsDir)
  ? readdirSync(actionsDir).filter((n) => existsSync(join(actionsDir, n, 'action.yml')))
  : [];

interface ActionYaml {
  name?: string;
  description?: string;
  inputs?: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs?: Record<string, { description?: string }>;
  runs?: { using?: string; main?: string };
}

describe('action.yml contract', () => {
  it('finds the actions', () => {
    expect(actionNames.length).toBeGreaterThan(0);
  });

  describe.each(actionNames)('%s', (name) => {
    const yml = parse(readFileSync(join(actionsDir, name, 'action.yml'), 'utf8')) as ActionYaml;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { spec } = require(join(actionsDir, name, 'src', 'spec.ts')) as { spec: ActionSpec };

    it('names the folder in its spec and runs the committed bundle on node24', () => {
      expect(spec.name).toBe(name);
      expect(yml.runs).toEqual(expect.objectContaining({ using: 'node24', main: 'dist/index.js' }));
      expect(yml.description).toBeTruthy();
    });

    it('declares exactly the inputs of its spec, with the same required flags and defaults', () => {
      const fromYaml = Object.entries(yml.inputs ?? {}).map(([k, v]) => ({
        name: k,
        required: v.required === true,
        default: v.default === undefined ? undefined : String(v.default),
        described: Boolean(v.description),
      }));
      const fromSpec = Object.entries(spec.inputs).map(([k, v]) => ({
        name: k,
        required: v.required === true,
        default: defaultAsYaml(v),
        described: true,
      }));
      expect(fromYaml.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
        fromSpec.sort((a, b) => a.name.localeCompare(b.name)),
      );
    });

    it('declares exactly the outputs of its spec', () => {
      expect(Object.keys(yml.outputs ?? {}).sort()).toEqual(Object.keys(spec.outputs).sort());
      for (const output of Object.values(yml.outputs ?? {})) expect(output.description).toBeTruthy();
    });
  });
});

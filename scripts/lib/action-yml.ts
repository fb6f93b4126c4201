/** Reads an action.yml the way the runner does for inputs: every input with a default gets it. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

interface ActionYml {
  runs?: { using?: string; main?: string };
  inputs?: Record<string, { default?: unknown; required?: boolean } | null>;
}

export function readActionYml(file: string): ActionYml {
  const parsed: unknown = parse(readFileSync(file, 'utf8'));
  if (!parsed || typeof parsed !== 'object') throw new Error(`${file}: expected a YAML mapping, got ${String(parsed)}`);
  return parsed as ActionYml;
}

/** Input name → default, as strings (the runner stringifies YAML scalars). */
export function readActionDefaults(file: string): Record<string, string> {
  const defaults: Record<string, string> = {};
  for (const [name, input] of Object.entries(readActionYml(file).inputs ?? {})) {
    if (input && input.default !== undefined && input.default !== null) defaults[name] = String(input.default);
  }
  return defaults;
}

/** `--name value` pairs of a benchmark script, with integer flags checked against a minimum. */
export interface BenchFlags {
  /** Every flag as given, without its leading `--`. */
  raw: Record<string, string>;
  /** The flag as an integer >= min, or `fallback` when it is absent. */
  int<F extends number | undefined>(name: string, fallback: F, min: number): number | F;
}

export function parseBenchFlags(script: string, argv: string[]): BenchFlags {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]!;
    const value = argv[i + 1];
    if (!name.startsWith('--') || value === undefined)
      throw new Error(`${script}: expected --flag value pairs, got "${name}"`);
    raw[name.slice(2)] = value;
  }
  return {
    raw,
    int(name, fallback, min) {
      const given = raw[name];
      if (given === undefined) return fallback;
      const value = Number(given);
      if (!Number.isInteger(value) || value < min)
        throw new Error(`${script}: --${name} is "${given}"; expected an integer >= ${min}`);
      return value;
    },
  };
}

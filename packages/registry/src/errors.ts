import { UserError } from '@wms/core';

/**
 * The champion moved between the quality gate and promotion (another PR promoted first).
 * A UserError because the fix is procedural: re-run the gate against the new champion.
 */
export class ChampionChangedError extends UserError {
  readonly expected: string | null;
  readonly actual: string | null;

  constructor(model: string, expected: string | null, actual: string | null) {
    super(
      `Refusing to promote ${model}: the champion changed since the quality gate ran ` +
        `(gate compared against ${expected === null ? 'no champion' : `version ${expected}`}, ` +
        `the champion is now ${actual === null ? 'none' : `version ${actual}`}).`,
      {
        hint: 'Another promotion won the race. Re-run the quality gate so the candidate is compared with the new champion.',
      },
    );
    this.expected = expected;
    this.actual = actual;
  }
}

export function describeVersion(version: string | null): string {
  return version === null ? 'none' : version;
}

import { z } from 'zod';
import { UserError } from './errors';

/**
 * One action's interface, declared once. `action.yml` must say the same (the contract test in
 * packages/core/__tests__/action-contract.test.ts checks every action), and `parseInputs` turns the
 * runner's raw strings into typed values with errors that name the input, the value and what is
 * accepted.
 */
interface InputBase {
  description: string;
  /** Required inputs have no default; the runner passes '' when they are missing. */
  required?: boolean;
}
export interface StringInput extends InputBase {
  kind: 'string';
  default?: string;
  choices?: readonly string[];
  /** Masked with setSecret before anything is logged. */
  secret?: boolean;
}
export interface BooleanInput extends InputBase {
  kind: 'boolean';
  default?: boolean;
}
export interface NumberInput extends InputBase {
  kind: 'number';
  default?: number;
  min?: number;
  max?: number;
  integer?: boolean;
}
export interface ListInput extends InputBase {
  kind: 'list';
  default?: readonly string[];
}
export type InputSpec = StringInput | BooleanInput | NumberInput | ListInput;

export interface OutputSpec {
  description: string;
}

export interface ActionSpec<
  I extends Record<string, InputSpec> = Record<string, InputSpec>,
  O extends string = string,
> {
  /** The folder name under actions/. */
  name: string;
  inputs: I;
  outputs: Record<O, OutputSpec>;
}

/** A string input declared with `choices` is the union of those choices, so callers never cast. */
type ValueOf<S extends InputSpec> = S extends StringInput
  ? S extends { choices: readonly (infer C extends string)[] }
    ? C
    : string
  : S extends BooleanInput
    ? boolean
    : S extends NumberInput
      ? number
      : string[];

type IsOptional<S extends InputSpec> = S extends { required: true }
  ? false
  : S extends { default: unknown }
    ? false
    : true;

export type InputValues<I extends Record<string, InputSpec>> = {
  [K in keyof I]: IsOptional<I[K]> extends true ? ValueOf<I[K]> | undefined : ValueOf<I[K]>;
};

export function defineAction<const I extends Record<string, InputSpec>, const O extends string>(
  spec: ActionSpec<I, O>,
): ActionSpec<I, O> {
  return spec;
}

/** The default as action.yml spells it (every input is a string to the runner). */
export function defaultAsYaml(spec: InputSpec): string | undefined {
  if (spec.default === undefined) return undefined;
  if (spec.kind === 'list') return (spec.default as readonly string[]).join('\n');
  return String(spec.default);
}

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

function schemaFor(spec: InputSpec): z.ZodType<unknown> {
  switch (spec.kind) {
    case 'string': {
      const base = z.string();
      return spec.choices ? base.refine((v) => spec.choices!.includes(v), `one of: ${spec.choices.join(', ')}`) : base;
    }
    case 'boolean':
      return z
        .string()
        .refine((v) => TRUE.includes(v) || FALSE.includes(v), 'true or false (YAML 1.2 core schema)')
        .transform((v) => TRUE.includes(v));
    case 'number': {
      const expected = [
        spec.integer ? 'an integer' : 'a number',
        spec.min !== undefined ? `>= ${spec.min}` : '',
        spec.max !== undefined ? `<= ${spec.max}` : '',
      ]
        .filter(Boolean)
        .join(' ');
      return z
        .string()
        .refine((v) => /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim()), expected)
        .transform((v) => Number(v.trim()))
        .refine((n) => Number.isFinite(n), expected)
        .refine((n) => !spec.integer || Number.isInteger(n), expected)
        .refine((n) => spec.min === undefined || n >= spec.min, expected)
        .refine((n) => spec.max === undefined || n <= spec.max, expected);
    }
    case 'list':
      return z.string().transform((v) =>
        v
          .split(/\r?\n|,/)
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      );
  }
}

/**
 * Parses raw inputs. `read(name)` returns the raw string the runner passed ('' when absent).
 * All problems are collected and reported together in one UserError.
 */
export function parseInputs<I extends Record<string, InputSpec>>(
  spec: ActionSpec<I, string>,
  read: (name: string) => string,
): InputValues<I> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, input] of Object.entries(spec.inputs)) {
    const raw = read(name).trim();
    if (raw === '') {
      if (input.required) {
        problems.push(`Input '${name}' is required (${input.description}).`);
      } else {
        values[name] =
          input.default === undefined
            ? undefined
            : input.kind === 'list'
              ? [...(input.default as readonly string[])]
              : input.default;
      }
      continue;
    }
    const result = schemaFor(input).safeParse(raw);
    if (result.success) {
      values[name] = result.data;
    } else {
      const expected = result.error.issues.map((i) => i.message).filter((m, idx, all) => all.indexOf(m) === idx);
      const shown = input.kind === 'string' && input.secret ? '***' : JSON.stringify(raw);
      problems.push(`Input '${name}' received ${shown}; expected ${expected.join('; ')}.`);
    }
  }
  if (problems.length > 0) {
    throw new UserError(problems.join('\n'), { hint: `Fix the 'with:' block of the ${spec.name} step.` });
  }
  return values as InputValues<I>;
}

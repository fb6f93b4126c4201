import { defineAction, parseInputs, UserError } from '../src';

const spec = defineAction({
  name: 'demo',
  inputs: {
    'data-dir': { kind: 'string', description: 'dataset root', required: true },
    epochs: { kind: 'number', description: 'epochs', default: 10, integer: true, min: 1, max: 1000 },
    strict: { kind: 'boolean', description: 'strict mode', default: false },
    backend: { kind: 'string', description: 'backend', default: 'auto', choices: ['auto', 'wasm', 'cpu'] },
    exts: { kind: 'list', description: 'extensions', default: ['jpg', 'png'] },
    token: { kind: 'string', description: 'token', secret: true, choices: ['never-this'] },
  },
  outputs: { valid: { description: 'x' } },
});

const reader = (values: Record<string, string>) => (name: string) => values[name] ?? '';

describe('parseInputs', () => {
  it('applies defaults and converts types', () => {
    const v = parseInputs(spec, reader({ 'data-dir': 'data', exts: 'jpg\n png ,tif\n' }));
    expect(v).toEqual({
      'data-dir': 'data',
      epochs: 10,
      strict: false,
      backend: 'auto',
      exts: ['jpg', 'png', 'tif'],
      token: undefined,
    });
  });

  it('accepts the YAML 1.2 booleans only', () => {
    expect(parseInputs(spec, reader({ 'data-dir': 'd', strict: 'True' })).strict).toBe(true);
    expect(() => parseInputs(spec, reader({ 'data-dir': 'd', strict: 'yes' }))).toThrow(
      'Input \'strict\' received "yes"; expected true or false',
    );
  });

  it.each([
    ['abc', 'an integer >= 1 <= 1000'],
    ['NaN', 'an integer >= 1 <= 1000'],
    ['0', 'an integer >= 1 <= 1000'],
    ['2.5', 'an integer >= 1 <= 1000'],
    ['1e9', 'an integer >= 1 <= 1000'],
  ])('rejects epochs=%s naming what is accepted', (raw, expected) => {
    expect(() => parseInputs(spec, reader({ 'data-dir': 'd', epochs: raw }))).toThrow(
      `Input 'epochs' received ${JSON.stringify(raw)}; expected ${expected}.`,
    );
  });

  it('reports every problem at once, as a UserError', () => {
    let caught: unknown;
    try {
      parseInputs(spec, reader({ backend: 'gpu' }));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UserError);
    const message = (caught as Error).message;
    expect(message).toContain("Input 'data-dir' is required (dataset root).");
    expect(message).toContain('Input \'backend\' received "gpu"; expected one of: auto, wasm, cpu.');
  });

  it('never echoes a secret value', () => {
    expect(() => parseInputs(spec, reader({ 'data-dir': 'd', token: 's3cr3t' }))).toThrow(
      "Input 'token' received ***;",
    );
  });
});

describe('choices', () => {
  it('types a string input with choices as the union of its choices, so callers never cast', () => {
    const parsed = parseInputs(spec, reader({ 'data-dir': 'd', backend: 'wasm' }));
    // Compile-time: assigning to the union only type-checks because the value is typed by its choices.
    const backend: 'auto' | 'wasm' | 'cpu' = parsed.backend;
    // @ts-expect-error a value outside the choices is not assignable
    const wrong: typeof parsed.backend = 'tensorflow';
    expect([backend, wrong]).toEqual(['wasm', 'tensorflow']);
    expect(() => parseInputs(spec, reader({ 'data-dir': 'd', backend: 'gpu' }))).toThrow(
      'Input \'backend\' received "gpu"; expected one of: auto, wasm, cpu.',
    );
  });
});

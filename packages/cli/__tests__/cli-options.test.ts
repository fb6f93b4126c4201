import { UserError } from '@wms/core';
import { choiceOption, integerOption, numberOption, trackingUriFrom } from '../src/cli-options';

describe('CLI option parsers', () => {
  it('accept valid values', () => {
    expect(integerOption('--count', 1, 10)('7')).toBe(7);
    expect(numberOption('--confidence', 0.5, 1)('0.95')).toBe(0.95);
    expect(choiceOption('--backend', ['auto', 'wasm'] as const)('wasm')).toBe('wasm');
  });

  it.each([
    [() => integerOption('--count', 1, 10)('2.5'), 'Option --count received "2.5"; expected an integer from 1 to 10.'],
    [() => integerOption('--count', 1, 10)('11'), 'Option --count received "11"; expected an integer from 1 to 10.'],
    [() => integerOption('--count', 1, 10)(''), 'Option --count received ""; expected an integer from 1 to 10.'],
    [
      () => numberOption('--confidence', 0.5, 1)('NaN'),
      'Option --confidence received "NaN"; expected a number from 0.5 to 1.',
    ],
    [
      () => choiceOption('--backend', ['auto', 'wasm'] as const)('gpu'),
      'Option --backend received "gpu"; expected one of: auto, wasm.',
    ],
  ])('reject bad values with a UserError naming the flag (%#)', (parse, message) => {
    expect(parse).toThrow(UserError);
    expect(parse).toThrow(message);
  });

  it('take the tracking URI from the flag, then WMS_TRACKING_URI, then MLFLOW_TRACKING_URI', () => {
    expect(trackingUriFrom('http://a', { WMS_TRACKING_URI: 'http://b' })).toBe('http://a');
    expect(trackingUriFrom(undefined, { WMS_TRACKING_URI: 'http://b', MLFLOW_TRACKING_URI: 'http://c' })).toBe(
      'http://b',
    );
    expect(trackingUriFrom('', { MLFLOW_TRACKING_URI: 'http://c' })).toBe('http://c');
    expect(trackingUriFrom(undefined, {})).toBeUndefined();
  });
});

describe('the CLI takes the same registry options as the actions', () => {
  it.each(['gate', 'promote', 'models', 'pipeline'])('wms %s has a flag for every registry input', async (name) => {
    const { buildProgram } = await import('../src/program');
    const { REGISTRY_INPUTS } = await import('@wms/pipeline/registry-options');
    const command = buildProgram().commands.find((c) => c.name() === name)!;
    const flags = command.options.map((o) => o.long);
    for (const input of Object.keys(REGISTRY_INPUTS)) expect(flags).toContain(`--${input}`);
  });
});

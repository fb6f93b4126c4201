import { isUserError } from '@wms/core';
import {
  formatDuration,
  formatUsd,
  hourlyPrice,
  mlflowAuthFrom,
  parseStartedAt,
  parseTagFilter,
  parseTerraformVars,
  resolveRegion,
  runCost,
} from '../src';

describe('costs', () => {
  it('prices by instance type, with an override and per-second billing after a 60 s minimum', () => {
    expect(hourlyPrice('t3.small')).toBe(0.0208);
    expect(hourlyPrice('x9.huge')).toBeUndefined();
    expect(hourlyPrice('x9.huge', 1.5)).toBe(1.5);
    const start = new Date('2026-01-01T00:00:00Z');
    expect(runCost(start, new Date('2026-01-01T00:45:00Z'), 0.0832)).toEqual({
      runSeconds: 2700,
      usdPerHour: 0.0832,
      usd: 0.0624,
    });
    expect(runCost(start, new Date('2026-01-01T00:00:10Z'), 3.6).usd).toBeCloseTo(0.06, 10);
    expect(runCost(start, new Date('2026-01-01T01:00:00Z'), undefined).usd).toBeUndefined();
  });
  it('formats durations and amounts for the summary', () => {
    expect([formatDuration(42), formatDuration(125), formatDuration(3 * 3600 + 5 * 60)]).toEqual([
      '42 s',
      '2 min 05 s',
      '3 h 05 min',
    ]);
    expect([formatUsd(0.0031), formatUsd(1.234), formatUsd(undefined)]).toEqual([
      '$0.0031',
      '$1.23',
      'unknown (type not in the price table; set cost-per-hour)',
    ]);
  });
});

describe('settings', () => {
  const userErrorOf = (fn: () => unknown): string => {
    try {
      fn();
    } catch (error) {
      if (isUserError(error)) return error.message;
      throw error;
    }
    throw new Error('no error');
  };
  it('parses tags, terraform vars, times and auth, naming the input when wrong', () => {
    expect(parseTagFilter('wms-pipeline=mlflow', "Input 'tag'")).toEqual({ key: 'wms-pipeline', value: 'mlflow' });
    expect(userErrorOf(() => parseTagFilter('mlflow', "Input 'tag'"))).toBe(
      `Input 'tag' received "mlflow"; expected Key=Value, e.g. Name=wms-mlflow.`,
    );
    expect(parseTerraformVars(['run_id=42', 'allowed_cidrs=["10.0.0.0/16"]'], 'terraform-vars')).toEqual({
      run_id: '42',
      allowed_cidrs: '["10.0.0.0/16"]',
    });
    expect(userErrorOf(() => parseTerraformVars(['=x'], 'terraform-vars'))).toBe(
      `Input 'terraform-vars' has "=x"; expected name=value, one per line.`,
    );
    expect(parseStartedAt('2026-01-01T00:00:00Z', 'started-at')?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(parseStartedAt('', 'started-at')).toBeUndefined();
    expect(userErrorOf(() => parseStartedAt('yesterday', 'started-at'))).toContain(
      `Input 'started-at' received "yesterday"`,
    );
    expect(mlflowAuthFrom({ token: 't' })).toEqual({ kind: 'bearer', token: 't' });
    expect(mlflowAuthFrom({ username: 'u', password: 'p' })).toEqual({ kind: 'basic', username: 'u', password: 'p' });
    expect(mlflowAuthFrom({})).toEqual({ kind: 'none' });
    expect(userErrorOf(() => mlflowAuthFrom({ username: 'u' }))).toBe(
      'mlflow-username and mlflow-password must be set together (basic auth).',
    );
  });
  it('takes the region from the input or the environment configure-aws-credentials sets', () => {
    expect(resolveRegion('', { AWS_REGION: 'eu-west-1' })).toBe('eu-west-1');
    expect(resolveRegion(undefined, { AWS_DEFAULT_REGION: 'us-east-2' })).toBe('us-east-2');
    expect(resolveRegion('ap-southeast-2', { AWS_REGION: 'eu-west-1' })).toBe('ap-southeast-2');
    expect(userErrorOf(() => resolveRegion('', {}))).toBe(
      "Input 'region' is empty and neither AWS_REGION nor AWS_DEFAULT_REGION is set.",
    );
    expect(userErrorOf(() => resolveRegion('Frankfurt', {}))).toBe(
      `Input 'region' received "Frankfurt"; expected an AWS region like eu-central-1.`,
    );
  });
});

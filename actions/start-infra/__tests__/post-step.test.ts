/** The post step's decision: it stops only what this run's main step recorded as started. */
import { parseInputs } from '@wms/core';
import type { ActionState } from '@wms/core/action';
import { testActionContext } from '@wms/test-support';
import { runStartInfraPost } from '../src/main';
import { spec } from '../src/spec';

function state(values: Record<string, string>): ActionState {
  return { save: (k, v) => void (values[k] = v), get: (k) => values[k] ?? '' };
}
const inputs = (raw: Record<string, string>) => parseInputs(spec, (name) => raw[name] ?? '');

it('stops nothing when the main step found the host already running', async () => {
  const ctx = {
    ...testActionContext('/tmp', { AWS_REGION: 'eu-central-1' }),
    state: state({ started: 'false', 'instance-id': 'i-1' }),
  };
  await expect(runStartInfraPost(inputs({}), ctx)).resolves.toEqual({});
  expect(ctx.logger.messages('info')).toEqual(['This run started nothing; nothing to stop.']);
});

it('leaves the stop to stop-infra when stop-on-post is false', async () => {
  const ctx = { ...testActionContext('/tmp', {}), state: state({ started: 'true', 'instance-id': 'i-1' }) };
  await expect(runStartInfraPost(inputs({ 'stop-on-post': 'false' }), ctx)).resolves.toEqual({});
  expect(ctx.logger.messages('info')).toEqual(['stop-on-post is false; stop-infra stops the host.']);
});

it('stops nothing when the main step failed before it knew anything', async () => {
  const ctx = { ...testActionContext('/tmp', {}), state: state({}) };
  await expect(runStartInfraPost(inputs({ mode: 'url' }), ctx)).resolves.toEqual({});
});

/** The SDK side of HostControl: pagination, filters, and which failures become user errors. */
import { DescribeInstancesCommand, EC2Client, EC2ServiceException } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { createMemoryLogger, isUserError } from '@wms/core';
import { createEc2HostControl } from '../src';

const client = new EC2Client({ region: 'eu-central-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const stub = mockClient(client);
const noSleep = async () => undefined;
afterEach(() => stub.reset());
afterAll(() => stub.restore());

it('follows NextToken across pages and turns the query into EC2 filters', async () => {
  stub
    .on(DescribeInstancesCommand)
    .resolvesOnce({
      Reservations: [
        { Instances: [{ InstanceId: 'i-1', State: { Name: 'running', Code: 16 }, Tags: [{ Key: 'a', Value: 'b' }] }] },
      ],
      NextToken: 'page-2',
    })
    .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: 'i-2', State: { Name: 'stopped', Code: 80 } }] }] });
  const control = createEc2HostControl(client, { logger: createMemoryLogger(), sleep: noSleep });
  const hosts = await control.describe({ tagKeys: ['wms-pipeline'], states: ['running', 'stopped'] });
  expect(hosts.map((h) => [h.instanceId, h.state, h.tags])).toEqual([
    ['i-1', 'running', { a: 'b' }],
    ['i-2', 'stopped', {}],
  ]);
  const calls = stub.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input);
  expect(calls).toEqual([
    {
      Filters: [
        { Name: 'tag-key', Values: ['wms-pipeline'] },
        { Name: 'instance-state-name', Values: ['running', 'stopped'] },
      ],
    },
    {
      Filters: [
        { Name: 'tag-key', Values: ['wms-pipeline'] },
        { Name: 'instance-state-name', Values: ['running', 'stopped'] },
      ],
      NextToken: 'page-2',
    },
  ]);
});

it('reports missing credentials and refused permissions as user errors, without retrying them', async () => {
  const control = createEc2HostControl(client, { logger: createMemoryLogger(), sleep: noSleep });
  stub
    .on(DescribeInstancesCommand)
    .rejects(
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
    );
  const noCreds = await control.describe({}).catch((e: unknown) => e);
  expect(isUserError(noCreds)).toBe(true);
  expect((noCreds as Error).message).toBe(
    'ec2:DescribeInstances: no AWS credentials were found (Could not load credentials from any providers).',
  );
  stub.reset();
  stub.on(DescribeInstancesCommand).rejects(
    new EC2ServiceException({
      name: 'UnauthorizedOperation',
      message: 'You are not authorized to perform this operation.',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
    }),
  );
  const denied = await control.describe({}).catch((e: unknown) => e);
  expect(isUserError(denied)).toBe(true);
  expect((denied as Error).message).toBe(
    'ec2:DescribeInstances was refused (UnauthorizedOperation): You are not authorized to perform this operation.',
  );
  expect(stub.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
});

it('retries a refused connection, then says the EC2 API could not be reached', async () => {
  const logger = createMemoryLogger();
  const control = createEc2HostControl(client, { logger, sleep: noSleep, attempts: 3 });
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
  stub.on(DescribeInstancesCommand).rejects(refused);
  const error = await control.describe({}).catch((e: unknown) => e);
  expect(isUserError(error)).toBe(true);
  expect((error as Error).message).toBe(
    'ec2:DescribeInstances: the EC2 API could not be reached (ECONNREFUSED): gave up after 3 attempts: connect ECONNREFUSED 127.0.0.1:9',
  );
  expect(logger.messages('info').filter((m) => m.includes('retrying'))).toHaveLength(2);
});

/**
 * aws-sdk-client-mock wiring: the EC2Client's commands answered by a FakeEc2Fleet, with its
 * faults thrown as the SDK throws service errors (EC2ServiceException, name = the error code).
 */
import {
  DescribeInstancesCommand,
  EC2Client,
  EC2ServiceException,
  StartInstancesCommand,
  StopInstancesCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { FakeEc2Error, STATE_CODES, type FakeEc2Fleet, type FakeInstance } from './fake-ec2-fleet';

function sdkError(error: unknown): unknown {
  if (!(error instanceof FakeEc2Error)) return error;
  return new EC2ServiceException({
    name: error.code,
    message: error.message,
    $fault: error.status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: error.status, requestId: 'mock-request' },
  });
}

function toSdkInstance(i: FakeInstance): Instance {
  return {
    InstanceId: i.instanceId,
    InstanceType: i.instanceType as Instance['InstanceType'],
    State: { Code: STATE_CODES[i.state], Name: i.state },
    LaunchTime: i.launchTime,
    PublicDnsName: i.publicDnsName ?? '',
    PublicIpAddress: i.publicIp,
    PrivateIpAddress: i.privateIp,
    Tags: Object.entries(i.tags).map(([Key, Value]) => ({ Key, Value })),
  };
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw sdkError(error);
  }
}

export function mockEc2WithFleet(fleet: FakeEc2Fleet): { client: EC2Client; stub: AwsClientStub<EC2Client> } {
  const client = new EC2Client({ region: 'eu-central-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const stub = mockClient(client);
  stub
    .on(DescribeInstancesCommand)
    .callsFake((input: { InstanceIds?: string[]; Filters?: Array<{ Name: string; Values: string[] }> }) =>
      guard(() => {
        const found = fleet.describe(
          input.InstanceIds ?? [],
          (input.Filters ?? []).map((f) => ({ name: f.Name, values: f.Values })),
        );
        return {
          Reservations: found.map((i) => ({ ReservationId: `r-${i.instanceId}`, Instances: [toSdkInstance(i)] })),
        };
      }),
    );
  const change = (c: { id: string; previous: FakeInstance['state']; current: FakeInstance['state'] }) => ({
    InstanceId: c.id,
    PreviousState: { Code: STATE_CODES[c.previous], Name: c.previous },
    CurrentState: { Code: STATE_CODES[c.current], Name: c.current },
  });
  stub
    .on(StartInstancesCommand)
    .callsFake((input: { InstanceIds: string[] }) =>
      guard(() => ({ StartingInstances: fleet.start(input.InstanceIds).map(change) })),
    );
  stub
    .on(StopInstancesCommand)
    .callsFake((input: { InstanceIds: string[] }) =>
      guard(() => ({ StoppingInstances: fleet.stop(input.InstanceIds).map(change) })),
    );
  return { client, stub };
}

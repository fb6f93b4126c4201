/**
 * HostControl over @aws-sdk/client-ec2. The SDK's own retries are turned off (maxAttempts 1) so
 * one policy — core's retry with backoff and jitter, logged — handles throttling
 * (RequestLimitExceeded) and transient faults, the same in tests and in production.
 */
import {
  DescribeInstancesCommand,
  EC2Client,
  StartInstancesCommand,
  StopInstancesCommand,
  type Filter,
  type Instance,
} from '@aws-sdk/client-ec2';
import { retry, UserError, type Logger } from '@wms/core';
import { ec2ErrorCode, isAccessDenied, isInstanceNotFound, isRetryableEc2Error } from './ec2-errors';
import {
  INSTANCE_STATES,
  type HostControl,
  type HostInfo,
  type HostQuery,
  type InstanceStateName,
} from './host-control';

export interface Ec2ClientOptions {
  region: string;
  /** A non-AWS endpoint (LocalStack, a test server); AWS_ENDPOINT_URL_EC2 is honoured by the SDK too. */
  endpoint?: string;
}

export function createEc2Client(options: Ec2ClientOptions): EC2Client {
  return new EC2Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    maxAttempts: 1,
  });
}

export interface Ec2HostControlOptions {
  logger: Logger;
  /** Attempts per API call (throttling, 5xx, network). */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

function toHostInfo(instance: Instance): HostInfo | undefined {
  const state = instance.State?.Name as InstanceStateName | undefined;
  if (!instance.InstanceId || !state || !INSTANCE_STATES.includes(state)) return undefined;
  const tags: Record<string, string> = {};
  for (const tag of instance.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
  return {
    instanceId: instance.InstanceId,
    state,
    instanceType: instance.InstanceType,
    launchTime: instance.LaunchTime,
    publicDnsName: instance.PublicDnsName || undefined,
    publicIp: instance.PublicIpAddress || undefined,
    privateIp: instance.PrivateIpAddress || undefined,
    tags,
  };
}

function filtersOf(query: HostQuery): Filter[] {
  const filters: Filter[] = [];
  for (const [key, value] of Object.entries(query.tags ?? {})) filters.push({ Name: `tag:${key}`, Values: [value] });
  if (query.tagKeys?.length) filters.push({ Name: 'tag-key', Values: [...query.tagKeys] });
  if (query.states?.length) filters.push({ Name: 'instance-state-name', Values: [...query.states] });
  return filters;
}

/** Missing credentials and refused permissions are the user's to fix, not bugs: say what to do. */
export function asUserFacingError(error: unknown, label: string): unknown {
  const code = ec2ErrorCode(error);
  // retry() prefixes "<label>: gave up after N attempts: "; the label is said once.
  const message = (error instanceof Error ? error.message : String(error)).replace(`${label}: `, '');
  if (code === 'CredentialsProviderError') {
    return new UserError(`${label}: no AWS credentials were found (${message}).`, {
      hint: 'In a workflow, run aws-actions/configure-aws-credentials with role-to-assume before this step (infra/README.md); locally, set AWS_PROFILE.',
      cause: error,
    });
  }
  if (isAccessDenied(error)) {
    return new UserError(`${label} was refused (${code}): ${message}`, {
      hint: 'The role needs the permissions of infra/iam-github.tf, and start/stop only work on instances with the host tag.',
      cause: error,
    });
  }
  const network = (error as { code?: string }).code;
  if (network === 'ECONNREFUSED' || network === 'ENOTFOUND' || network === 'EAI_AGAIN') {
    return new UserError(`${label}: the EC2 API could not be reached (${network}): ${message}`, {
      hint: 'Check the region and the endpoint input (or AWS_ENDPOINT_URL_EC2).',
      cause: error,
    });
  }
  return error;
}

export function createEc2HostControl(client: EC2Client, options: Ec2HostControlOptions): HostControl {
  const call = <T>(label: string, fn: () => Promise<T>): Promise<T> =>
    retry(fn, {
      attempts: options.attempts ?? 6,
      baseMs: options.baseDelayMs ?? 1000,
      maxMs: options.maxDelayMs ?? 20_000,
      label,
      sleep: options.sleep,
      isRetryable: isRetryableEc2Error,
      onRetry: ({ attempt, delayMs, error }) =>
        options.logger.info(
          `${label}: ${ec2ErrorCode(error) ?? 'error'} on attempt ${attempt}; retrying in ${(delayMs / 1000).toFixed(1)} s`,
        ),
    }).catch((error: unknown) => {
      throw asUserFacingError(error, label);
    });

  return {
    async describe(query) {
      const hosts: HostInfo[] = [];
      let nextToken: string | undefined;
      do {
        const token = nextToken;
        let page;
        try {
          page = await call('ec2:DescribeInstances', () =>
            client.send(
              new DescribeInstancesCommand({
                ...(query.instanceIds?.length ? { InstanceIds: [...query.instanceIds] } : {}),
                ...(filtersOf(query).length ? { Filters: filtersOf(query) } : {}),
                ...(token ? { NextToken: token } : {}),
              }),
            ),
          );
        } catch (error) {
          // Asking for an id EC2 does not know is an answer ("no such host"), not a failure.
          if (isInstanceNotFound(error)) return [];
          throw error;
        }
        for (const reservation of page.Reservations ?? []) {
          for (const instance of reservation.Instances ?? []) {
            const host = toHostInfo(instance);
            if (host) hosts.push(host);
          }
        }
        nextToken = page.NextToken || undefined;
      } while (nextToken);
      return hosts;
    },
    async start(instanceId) {
      await call('ec2:StartInstances', () => client.send(new StartInstancesCommand({ InstanceIds: [instanceId] })));
    },
    async stop(instanceId) {
      await call('ec2:StopInstances', () => client.send(new StopInstancesCommand({ InstanceIds: [instanceId] })));
    },
  };
}

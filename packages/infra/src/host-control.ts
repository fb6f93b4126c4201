/**
 * What the infra stages need from a cloud API, and nothing more: the SDK implementation is
 * ec2-host-control.ts; tests drive it through aws-sdk-client-mock or a local EC2 Query API server.
 */
import { UserError } from '@wms/core';

/** EC2's instance lifecycle states (DescribeInstances `InstanceState.Name`). */
export type InstanceStateName = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

export const INSTANCE_STATES: readonly InstanceStateName[] = [
  'pending',
  'running',
  'shutting-down',
  'terminated',
  'stopping',
  'stopped',
];

export interface HostInfo {
  instanceId: string;
  state: InstanceStateName;
  instanceType?: string;
  /** For an EBS-backed instance, the time of its last start (EC2 resets LaunchTime on every start). */
  launchTime?: Date;
  publicDnsName?: string;
  publicIp?: string;
  privateIp?: string;
  tags: Record<string, string>;
}

export interface HostQuery {
  instanceIds?: readonly string[];
  /** Exact tag values, e.g. { Name: 'wms-mlflow' }. */
  tags?: Readonly<Record<string, string>>;
  /** Tags that must exist, with any value. */
  tagKeys?: readonly string[];
  states?: readonly InstanceStateName[];
}

export interface HostControl {
  /** Hosts matching the query; an unknown instance id yields no host rather than an error. */
  describe(query: HostQuery): Promise<HostInfo[]>;
  start(instanceId: string): Promise<void>;
  stop(instanceId: string): Promise<void>;
}

/** How the stages name the host: an instance id, a tag, or both (the tag then guards the id). */
export interface HostRef {
  instanceId?: string;
  tag?: { key: string; value: string };
}

export function describeHostRef(ref: HostRef): string {
  const parts = [
    ref.instanceId ? `instance ${ref.instanceId}` : '',
    ref.tag ? `tag ${ref.tag.key}=${ref.tag.value}` : '',
  ].filter(Boolean);
  return parts.join(' with ') || 'no host';
}

/** Parses "Key=Value" as given to the `tag` input / `--tag` option. */
export function parseTagFilter(text: string, inputName: string): { key: string; value: string } {
  const at = text.indexOf('=');
  const key = at > 0 ? text.slice(0, at).trim() : '';
  const value = at > 0 ? text.slice(at + 1).trim() : '';
  if (!key || !value) {
    throw new UserError(`${inputName} received ${JSON.stringify(text)}; expected Key=Value, e.g. Name=wms-mlflow.`);
  }
  return { key, value };
}

import { defineAction } from '@wms/core';

export const spec = defineAction({
  name: 'stop-infra',
  inputs: {
    mode: {
      kind: 'string',
      choices: ['ec2', 'terraform', 'url'],
      default: 'ec2',
      description: 'ec2: stop the MLflow host; terraform: terraform destroy in terraform-dir; url: nothing to stop.',
    },
    'instance-id': {
      kind: 'string',
      default: '',
      description: "ec2 mode: the host (start-infra's instance-id output). Empty: the one instance carrying tag.",
    },
    tag: {
      kind: 'string',
      default: 'wms-pipeline=mlflow',
      description: 'ec2 mode: Key=Value the host must carry; an instance without it is never stopped.',
    },
    region: {
      kind: 'string',
      default: '',
      description: 'AWS region. Empty: AWS_REGION / AWS_DEFAULT_REGION (set by configure-aws-credentials).',
    },
    endpoint: {
      kind: 'string',
      default: '',
      description: 'EC2 endpoint URL for a non-AWS EC2 API (LocalStack, tests). Empty: AWS (or AWS_ENDPOINT_URL_EC2).',
    },
    started: {
      kind: 'string',
      choices: ['true', 'false', 'unknown'],
      default: 'unknown',
      description:
        "start-infra's started output: 'false' leaves a host someone else started running; 'true' or unknown (start failed early) stops it.",
    },
    'started-at': {
      kind: 'string',
      default: '',
      description: "start-infra's started-at output, for the run time and cost. Empty: the host's last start time.",
    },
    'keep-running': {
      kind: 'boolean',
      default: false,
      description: 'Leave the host running on purpose (warns with its cost per hour).',
    },
    'cost-per-hour': {
      kind: 'number',
      min: 0,
      description: "USD per hour of the host, for the cost report. Empty: the instance type's on-demand price.",
    },
    'stopped-timeout': {
      kind: 'number',
      min: 10,
      max: 3600,
      default: 300,
      description:
        'Seconds to wait for the host to reach stopped (terraform mode: the limit of each terraform command).',
    },
    'poll-interval': {
      kind: 'number',
      min: 0.05,
      max: 60,
      default: 5,
      description: 'Seconds between the first state checks; later checks back off up to four times this.',
    },
    wait: {
      kind: 'boolean',
      default: true,
      description: 'Wait until the host is stopped (false: return once EC2 accepted the stop).',
    },
    'terraform-dir': {
      kind: 'string',
      default: 'infra/ephemeral',
      description: 'terraform mode: the Terraform root, relative to the workspace.',
    },
    'terraform-vars': {
      kind: 'list',
      description: 'terraform mode: name=value variables, one per line (the same as for start-infra).',
    },
    'terraform-backend-config': {
      kind: 'list',
      description: 'terraform mode: -backend-config values for init, one per line (the same as for start-infra).',
    },
  },
  outputs: {
    outcome: {
      description: 'stopped, already-stopped, gone, destroyed, left-running or nothing-to-stop.',
    },
    'instance-id': { description: 'The instance that was stopped or checked (empty in url/terraform mode).' },
    'run-seconds': { description: 'How long the host ran in this pipeline (empty when unknown).' },
    'cost-usd': { description: "What that run time cost at the instance type's price (empty when unknown)." },
  },
});

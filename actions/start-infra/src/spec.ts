import { defineAction } from '@wms/core';

export const spec = defineAction({
  name: 'start-infra',
  inputs: {
    mode: {
      kind: 'string',
      choices: ['ec2', 'terraform', 'url'],
      default: 'ec2',
      description:
        'ec2: start the existing MLflow host; terraform: terraform apply in terraform-dir; url: only wait for an always-on server.',
    },
    'instance-id': {
      kind: 'string',
      default: '',
      description: 'ec2 mode: the MLflow host. Empty: the one instance carrying tag.',
    },
    tag: {
      kind: 'string',
      default: 'wms-pipeline=mlflow',
      description: 'ec2 mode: Key=Value the host must carry (finds it without instance-id, and guards instance-id).',
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
    'mlflow-url': {
      kind: 'string',
      default: '',
      description:
        'url mode: the server. ec2/terraform: overrides the address; may use {public-dns}, {public-ip}, {private-ip}.',
    },
    'mlflow-username': { kind: 'string', default: '', description: 'Basic-auth user for MLflow, if it has auth.' },
    'mlflow-password': {
      kind: 'string',
      default: '',
      secret: true,
      description: 'Basic-auth password for MLflow (pass a secret).',
    },
    'mlflow-token': {
      kind: 'string',
      default: '',
      secret: true,
      description: 'Bearer token for MLflow instead of basic auth (pass a secret).',
    },
    'running-timeout': {
      kind: 'number',
      min: 10,
      max: 3600,
      default: 300,
      description:
        'Seconds to wait for the host to reach running (terraform mode: the limit of each terraform command).',
    },
    'health-timeout': {
      kind: 'number',
      min: 5,
      max: 3600,
      default: 300,
      description: 'Seconds to wait for MLflow /health to answer OK.',
    },
    'poll-interval': {
      kind: 'number',
      min: 0.05,
      max: 60,
      default: 5,
      description: 'Seconds between the first state checks; later checks back off up to four times this.',
    },
    'terraform-dir': {
      kind: 'string',
      default: 'infra/ephemeral',
      description: 'terraform mode: the Terraform root, relative to the workspace.',
    },
    'terraform-vars': {
      kind: 'list',
      description: 'terraform mode: name=value variables, one per line.',
    },
    'terraform-backend-config': {
      kind: 'list',
      description: 'terraform mode: -backend-config values for init (e.g. bucket=my-tf-state), one per line.',
    },
    'cost-per-hour': {
      kind: 'number',
      min: 0,
      description: "USD per hour of the host, for the cost report. Empty: the instance type's on-demand price.",
    },
    'stop-on-post': {
      kind: 'boolean',
      default: true,
      description: "Stop what this run started in the action's post step (runs even on failure or cancel).",
    },
    'stopped-timeout': {
      kind: 'number',
      min: 10,
      max: 3600,
      default: 300,
      description: 'Post step: seconds to wait for the host to reach stopped.',
    },
  },
  outputs: {
    'mlflow-url': { description: 'The MLflow tracking URI, healthy when the step succeeded.' },
    'instance-id': { description: 'The EC2 instance id (empty in url mode). Set as soon as known.' },
    'instance-type': { description: 'The EC2 instance type, when known.' },
    started: {
      description:
        "'true' when this run started the host (so stop-infra stops it), 'false' when it was already running.",
    },
    'started-at': { description: 'ISO time the host began running for this pipeline (for the cost report).' },
    mode: { description: 'The mode that ran.' },
  },
});

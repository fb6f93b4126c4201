/**
 * EC2 error codes that decide what happens next (names from the EC2 API reference, "Error codes
 * for the Amazon EC2 API"): the SDK puts the Query API's <Code> in `error.name`.
 */

/** Throttling and server-side faults: worth another attempt after a backoff. */
const RETRYABLE_CODES = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'Unavailable',
]);

/** Network failures below HTTP (reset connection, DNS hiccup, socket timeout). */
const RETRYABLE_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'TimeoutError']);

interface AwsLikeError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

export function ec2ErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as AwsLikeError;
  return e.name ?? e.code;
}

export function isRetryableEc2Error(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as AwsLikeError;
  const code = ec2ErrorCode(error);
  if (code && (RETRYABLE_CODES.has(code) || RETRYABLE_NETWORK.has(code))) return true;
  if (e.code && RETRYABLE_NETWORK.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

export function isInstanceNotFound(error: unknown): boolean {
  return ec2ErrorCode(error) === 'InvalidInstanceID.NotFound';
}

/** StartInstances/StopInstances on an instance in a state that does not allow it (e.g. start while stopping). */
export function isIncorrectInstanceState(error: unknown): boolean {
  return ec2ErrorCode(error) === 'IncorrectInstanceState';
}

export function isAccessDenied(error: unknown): boolean {
  const code = ec2ErrorCode(error);
  return code === 'UnauthorizedOperation' || code === 'AuthFailure' || code === 'AccessDenied';
}

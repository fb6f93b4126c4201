/**
 * Waits for an MLflow server to answer GET /health with 200 "OK" (what `mlflow server` and its
 * basic-auth app answer once the backend store is open), sending the configured credentials.
 */
import type { Logger } from '@wms/core';
import { UserError } from '@wms/core';
import { waitUntil, type WaitOutcome } from './wait';

export type MlflowAuth =
  { kind: 'none' } | { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; token: string };

export interface HealthWaitOptions {
  /** The tracking URI, e.g. https://mlflow.example.com or http://1.2.3.4:5000 */
  url: string;
  auth?: MlflowAuth;
  timeoutMs: number;
  intervalMs?: number;
  maxIntervalMs?: number;
  /** One request's limit: a host that accepts the connection but never answers must not eat the whole budget. */
  requestTimeoutMs?: number;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
  fetchImpl?: typeof fetch;
}

export function healthUrlOf(trackingUrl: string): string {
  let parsed: URL;
  try {
    parsed = new URL(trackingUrl);
  } catch {
    throw new UserError(
      `MLflow URL ${JSON.stringify(trackingUrl)} is not a URL; expected e.g. https://mlflow.example.com.`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UserError(`MLflow URL ${JSON.stringify(trackingUrl)} must be http:// or https://.`);
  }
  const base = parsed.href.replace(/\/+$/, '');
  return `${base}/health`;
}

export function authHeaders(auth: MlflowAuth | undefined): Record<string, string> {
  if (!auth || auth.kind === 'none') return {};
  if (auth.kind === 'bearer') return { authorization: `Bearer ${auth.token}` };
  return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
}

/** Polls /health until it says OK; a 401/403 stops at once, since waiting cannot fix credentials. */
export async function waitForMlflowHealth(options: HealthWaitOptions): Promise<WaitOutcome<string>> {
  const url = healthUrlOf(options.url);
  const fetchImpl = options.fetchImpl ?? fetch;
  const headers = authHeaders(options.auth);
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  options.logger.info(`Waiting for ${url} to answer OK (timeout ${Math.round(options.timeoutMs / 1000)} s).`);
  const outcome = await waitUntil<string>(
    async () => {
      let response: Response;
      try {
        response = await fetchImpl(url, { headers, signal: AbortSignal.timeout(requestTimeoutMs) });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        return { done: false, status: `no answer (${cause ?? (error as Error).name ?? 'network error'})` };
      }
      const body = (await response.text().catch(() => '')).trim();
      if (response.status === 401 || response.status === 403) {
        throw new UserError(`${url} answered ${response.status}: the MLflow credentials were refused.`, {
          hint: 'Check the mlflow-username/mlflow-password (or mlflow-token) inputs against the server’s auth config.',
        });
      }
      if (response.status === 200 && body === 'OK') return { done: true, value: body };
      return { done: false, status: `HTTP ${response.status} ${JSON.stringify(body.slice(0, 80))}` };
    },
    {
      label: `MLflow at ${url} to answer OK`,
      timeoutMs: options.timeoutMs,
      intervalMs: options.intervalMs ?? 2000,
      maxIntervalMs: options.maxIntervalMs ?? 10_000,
      sleep: options.sleep,
      hint: 'The host is up but MLflow is not: look at `journalctl -u mlflow` on the host (docs/runbook.md).',
      onPoll: ({ attempt, status }) => options.logger.debug(`health check ${attempt}: ${status}`),
    },
  );
  options.logger.info(
    `MLflow is healthy after ${outcome.attempts} checks (${(outcome.elapsedMs / 1000).toFixed(1)} s).`,
  );
  return outcome;
}

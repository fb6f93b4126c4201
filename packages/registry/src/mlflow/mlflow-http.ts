import { defaultSleep, retry, UserError, type Logger } from '@wms/core';

/** Credentials from MLflow's usual variables: a bearer token wins over basic auth. */
export interface MlflowAuth {
  token?: string;
  username?: string;
  password?: string;
}

export function mlflowAuthFromEnv(env: NodeJS.ProcessEnv): MlflowAuth {
  return {
    token: env.MLFLOW_TRACKING_TOKEN || undefined,
    username: env.MLFLOW_TRACKING_USERNAME || undefined,
    password: env.MLFLOW_TRACKING_PASSWORD || undefined,
  };
}

/** A 4xx/5xx answer from MLflow, carrying its `error_code` and `message` payload. */
export class MlflowApiError extends Error {
  override readonly name = 'MlflowApiError';
  constructor(
    readonly status: number,
    /** Undefined when the answer was not MLflow's JSON error (an HTML page from Flask or a proxy). */
    readonly errorCode: string | undefined,
    readonly serverMessage: string,
    /** Method and full URL (without the query), e.g. `GET https://mlflow.example.com/api/2.0/mlflow/runs/get`. */
    readonly endpoint: string,
  ) {
    super(`MLflow ${endpoint} failed with HTTP ${status}${errorCode ? ` ${errorCode}` : ''}: ${serverMessage}`);
  }
}

/**
 * No such experiment/run/model/version: only MLflow's own JSON answer RESOURCE_DOES_NOT_EXIST
 * counts. A bare 404 (Flask's HTML page for a path it does not serve, a proxy's page) or
 * ENDPOINT_NOT_FOUND means the URL is wrong, never that the thing is missing.
 */
export function isNotFound(error: unknown): boolean {
  return error instanceof MlflowApiError && error.errorCode === 'RESOURCE_DOES_NOT_EXIST';
}

/**
 * The champion alias (or its model) does not exist. MLflow 2.12 answers GET registered-models/alias
 * with HTTP 400 INVALID_PARAMETER_VALUE "Registered model alias champion not found." for both;
 * later versions answer 404 RESOURCE_DOES_NOT_EXIST. Any other 400 is a real error.
 */
export function isMissingAlias(error: unknown, alias: string): boolean {
  if (isNotFound(error)) return true;
  return (
    error instanceof MlflowApiError &&
    error.status === 400 &&
    error.errorCode === 'INVALID_PARAMETER_VALUE' &&
    error.serverMessage.trim() === `Registered model alias ${alias} not found.`
  );
}

export function isAlreadyExists(error: unknown): boolean {
  return error instanceof MlflowApiError && error.errorCode === 'RESOURCE_ALREADY_EXISTS';
}

/** 5xx, 429 and dropped connections are worth another attempt; other 4xx are our mistake. */
export function isRetryableMlflowError(error: unknown): boolean {
  if (error instanceof MlflowApiError) return error.status >= 500 || error.status === 429;
  return isNetworkError(error);
}

/**
 * fetch() reports dropped connections as TypeError('fetch failed') with the socket error as
 * cause, and timeouts as TimeoutError. Checked by name: under test runners the error can come
 * from another realm, where instanceof fails.
 */
function isNetworkError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TypeError' || name === 'TimeoutError' || name === 'AbortError';
}

export interface MlflowHttpOptions {
  /** Tracking server base URL, e.g. https://mlflow.example.com (no trailing /api). */
  baseUrl: string;
  /** Where the URL came from, for hints: "--tracking-uri", "input 'tracking-uri'", "MLFLOW_TRACKING_URI". */
  uriSource?: string;
  auth: MlflowAuth;
  logger: Logger;
  attempts?: number;
  baseDelayMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface MlflowRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  /** Path under the server root, e.g. /api/2.0/mlflow/runs/create. */
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  body?: Uint8Array;
}

export interface MlflowHttp {
  readonly baseUrl: string;
  /** JSON request; returns the parsed body ({} when empty). */
  call<T>(request: MlflowRequest): Promise<T>;
  /** Raw response body (artifact download). */
  download(request: MlflowRequest): Promise<Buffer>;
}

function authHeader(auth: MlflowAuth): string | undefined {
  if (auth.token) return `Bearer ${auth.token}`;
  if (auth.username !== undefined || auth.password !== undefined) {
    return `Basic ${Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`).toString('base64')}`;
  }
  return undefined;
}

/** Removes every credential from a message so an error or log line can never leak it. */
export function redactSecrets(text: string, auth: MlflowAuth): string {
  let out = text;
  const header = authHeader(auth);
  // The header value without its scheme too (the base64 of user:password on its own).
  for (const secret of [header, header?.replace(/^\w+ /, ''), auth.token, auth.password]) {
    if (secret && secret.length >= 3) out = out.split(secret).join('***');
  }
  return out;
}

async function toApiError(response: Response, endpoint: string): Promise<MlflowApiError> {
  const text = await response.text().catch(() => '');
  let code: string | undefined;
  let message = text.trim().slice(0, 500) || response.statusText;
  try {
    const payload = JSON.parse(text) as { error_code?: unknown; message?: unknown };
    if (typeof payload.error_code === 'string') code = payload.error_code;
    if (typeof payload.message === 'string') message = payload.message;
  } catch {
    /* not JSON: proxies and load balancers answer with HTML */
  }
  return new MlflowApiError(response.status, code, message, endpoint);
}

export function createMlflowHttp(options: MlflowHttpOptions): MlflowHttp {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const header = authHeader(options.auth);
  const redact = (text: string): string => redactSecrets(text, options.auth);

  const send = async (request: MlflowRequest): Promise<Response> => {
    const url = new URL(baseUrl + request.path);
    for (const [k, v] of Object.entries(request.query ?? {})) url.searchParams.set(k, v);
    const endpoint = `${request.method} ${baseUrl}${request.path}`;
    return retry(
      async () => {
        const headers: Record<string, string> = {};
        if (header) headers.Authorization = header;
        let body: string | Uint8Array<ArrayBuffer> | undefined;
        if (request.json !== undefined) {
          headers['Content-Type'] = 'application/json';
          body = JSON.stringify(request.json);
        } else if (request.body) {
          headers['Content-Type'] = 'application/octet-stream';
          body = new Uint8Array(request.body); // an ArrayBuffer-backed copy, as fetch's BodyInit types want
        }
        const response = await fetch(url, {
          method: request.method,
          headers,
          body,
          signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
        });
        if (!response.ok) throw await toApiError(response, endpoint);
        return response;
      },
      {
        attempts: options.attempts ?? 5,
        baseMs: options.baseDelayMs ?? 500,
        label: `MLflow ${endpoint}`,
        isRetryable: isRetryableMlflowError,
        sleep: options.sleep ?? defaultSleep,
        onRetry: ({ attempt, delayMs, error }) =>
          options.logger.warning(
            redact(`MLflow ${endpoint} attempt ${attempt} failed (${describeCause(error)}); retrying in ${delayMs} ms`),
          ),
      },
    );
  };

  const guarded = async <T>(request: MlflowRequest, read: (r: Response) => Promise<T>): Promise<T> => {
    options.logger.debug(`MLflow ${request.method} ${request.path}`);
    try {
      return await read(await send(request));
    } catch (error) {
      throw explain(error, baseUrl, options.uriSource ?? 'MLFLOW_TRACKING_URI', redact);
    }
  };

  return {
    baseUrl,
    call: <T>(request: MlflowRequest) =>
      guarded(request, async (r) => {
        const text = await r.text();
        return (text.trim() === '' ? {} : JSON.parse(text)) as T;
      }),
    download: (request) => guarded(request, async (r) => Buffer.from(await r.arrayBuffer())),
  };
}

function describeCause(error: unknown): string {
  if (error instanceof MlflowApiError) return `HTTP ${error.status}${error.errorCode ? ` ${error.errorCode}` : ''}`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/**
 * Turns answers that are not MLflow's (HTML pages, ENDPOINT_NOT_FOUND), 401/403 and unreachable
 * servers into errors that say what to check, naming the full URL and where it came from.
 */
function explain(error: unknown, baseUrl: string, uriSource: string, redact: (t: string) => string): unknown {
  if (error instanceof MlflowApiError) {
    error.message = redact(error.message);
    if (error.status === 401 || error.status === 403) {
      return new UserError(redact(error.message), {
        hint: `Check the credentials for ${baseUrl}: MLFLOW_TRACKING_TOKEN (or the mlflow-token input), or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD.`,
        cause: error,
      });
    }
    if (error.errorCode === undefined || error.errorCode === 'ENDPOINT_NOT_FOUND') {
      const what =
        error.errorCode === undefined
          ? `HTTP ${error.status} that is not an MLflow API answer (${describeBody(error.serverMessage)})`
          : `HTTP ${error.status} ENDPOINT_NOT_FOUND, which is not an MLflow API answer for this server version`;
      return new UserError(redact(`MLflow ${error.endpoint} answered with ${what}.`), {
        hint:
          `Check ${uriSource} (${baseUrl}): it must be the MLflow tracking server's root URL, without /api or a UI path ` +
          '(e.g. http://host:5000), and the server must be MLflow 2.3 or later (model version aliases).',
        cause: error,
      });
    }
    return error;
  }
  if (isNetworkError(error)) {
    const message = String((error as { message?: unknown }).message);
    return new UserError(
      redact(`Cannot reach the MLflow server at ${baseUrl}: ${describeCause(error)} (${message}).`),
      {
        hint: `Check ${uriSource} and that the server is running.`,
        cause: error,
      },
    );
  }
  return error;
}

/** A short description of a non-JSON body: the HTML title, or its first characters. */
function describeBody(body: string): string {
  const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
  if (title) return `an HTML page titled ${JSON.stringify(title)}`;
  const text = body.replace(/\s+/g, ' ').trim();
  return text ? `body ${JSON.stringify(text.slice(0, 120))}` : 'an empty body';
}

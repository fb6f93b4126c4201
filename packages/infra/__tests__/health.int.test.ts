/**
 * waitForMlflowHealth against a real MLflow 2.12.2 server that comes up late (the port answers
 * nothing for the first polls), behind a basic-auth proxy like the host's nginx, and against local
 * servers that never become healthy or never answer (the timeout paths).
 */
import { createMemoryLogger, isUserError } from '@wms/core';
import { describeWithMlflowServer, startMlflowServer, type RunningMlflowServer } from '@wms/test-support';
import { waitForMlflowHealth, WaitTimeoutError } from '../src';
import { startBasicAuthProxy, startLocalServer, type LocalServer } from './support/local-http';

jest.setTimeout(120_000);

describeWithMlflowServer('waitForMlflowHealth against a real MLflow server', () => {
  let mlflow: RunningMlflowServer;
  let proxy: LocalServer | undefined;
  afterEach(async () => {
    await proxy?.close();
    await mlflow?.stop();
  });

  it('polls until a server started late answers OK', async () => {
    mlflow = await startMlflowServer({ delayStartMs: 2500, noWait: true });
    const logger = createMemoryLogger();
    const outcome = await waitForMlflowHealth({ url: mlflow.url, timeoutMs: 60_000, intervalMs: 300, logger });
    expect(outcome.value).toBe('OK');
    // Healthy only after several polls: the first ones found nothing listening.
    expect(outcome.attempts).toBeGreaterThan(3);
    expect(outcome.elapsedMs).toBeGreaterThan(2000);
    expect(logger.messages('debug')[0]).toMatch(/^health check 1: no answer \(ECONNREFUSED\)$/);
    expect(logger.messages('info').at(-1)).toMatch(new RegExp(`^MLflow is healthy after ${outcome.attempts} checks`));
  });

  it('sends basic auth through a proxy that demands it, and stops at once on refused credentials', async () => {
    mlflow = await startMlflowServer();
    proxy = await startBasicAuthProxy(mlflow.url, 'wms', 's3cret');
    const logger = createMemoryLogger();
    const ok = await waitForMlflowHealth({
      url: `${proxy.url}/`,
      auth: { kind: 'basic', username: 'wms', password: 's3cret' },
      timeoutMs: 10_000,
      logger,
    });
    expect(ok).toMatchObject({ value: 'OK', attempts: 1 });

    const started = Date.now();
    const refused = await waitForMlflowHealth({
      url: proxy.url,
      auth: { kind: 'basic', username: 'wms', password: 'wrong' },
      timeoutMs: 30_000,
      logger,
    }).catch((e: unknown) => e);
    expect(isUserError(refused)).toBe(true);
    expect((refused as Error).message).toBe(`${proxy.url}/health answered 401: the MLflow credentials were refused.`);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('waitForMlflowHealth timeouts', () => {
  let server: LocalServer;
  afterEach(() => server.close());

  it('gives up on a server that never becomes healthy, naming the URL and the last answer', async () => {
    server = await startLocalServer((_req, res) => res.writeHead(503).end('starting'));
    const started = Date.now();
    const error = await waitForMlflowHealth({
      url: server.url,
      timeoutMs: 1500,
      intervalMs: 100,
      maxIntervalMs: 300,
      logger: createMemoryLogger(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Gave up waiting for MLflow at ${server.url}/health to answer OK after 1\\.\\d s \\(\\d+ checks; timeout 1\\.5 s\\); last seen: HTTP 503 "starting"\\.$`,
      ),
    );
    expect(server.requests.length).toBeGreaterThan(3);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('does not let one request that never answers eat the whole budget', async () => {
    server = await startLocalServer(() => undefined); // accepts, never responds
    const error = await waitForMlflowHealth({
      url: server.url,
      timeoutMs: 1200,
      intervalMs: 100,
      requestTimeoutMs: 300,
      logger: createMemoryLogger(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).lastStatus).toBe('no answer (TimeoutError)');
    expect(server.requests.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses a URL that is not http(s)', async () => {
    server = await startLocalServer((_req, res) => res.end('OK'));
    await expect(
      waitForMlflowHealth({ url: 'ftp://mlflow', timeoutMs: 1000, logger: createMemoryLogger() }),
    ).rejects.toThrow('MLflow URL "ftp://mlflow" must be http:// or https://.');
  });
});

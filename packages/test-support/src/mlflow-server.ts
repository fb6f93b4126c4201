/**
 * A real MLflow 2.12.2 tracking server for integration tests, from ../shared/mlflow-server (the
 * server's Python source; on GitHub runners `pip install mlflow==2.12.2` provides the same module).
 * Each call starts one server on a free port with its own temp state folder; `stop()` kills the
 * whole process group (gunicorn forks a worker) and removes the folder.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fsp } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** ../shared/mlflow-server beside the project (absent on a fresh clone). */
export const MLFLOW_SERVER_DIR = resolve(__dirname, '../../../../shared/mlflow-server');

export interface MlflowServerSource {
  /** The Python interpreter that can import mlflow and its dependencies. */
  python: string;
  /** Extra PYTHONPATH entry (the shared source tree), or undefined for a pip-installed mlflow. */
  pythonPath: string | undefined;
  /** Where it comes from, for skip messages and logs. */
  description: string;
}

function canImport(python: string, pythonPath: string | undefined, modules: string): boolean {
  const env = { ...process.env, PYTHONPATH: pythonPath ?? process.env.PYTHONPATH ?? '' };
  const r = spawnSync(python, ['-c', `import ${modules}`], { env, stdio: 'ignore', timeout: 30_000 });
  return r.status === 0;
}

let cachedSource: MlflowServerSource | null | undefined;
let cachedWhyNot = '';

/**
 * How to run the server here: WMS_MLFLOW_PYTHON (a python with mlflow installed, as on a GitHub
 * runner after `pip install mlflow==2.12.2 boto3`), else Debian's python3 with ../shared/mlflow-server.
 * Null (with `mlflowServerMissingReason()`) when neither is available. The s3:// artifact-root
 * test also needs boto3 in that python (Debian: python3-boto3).
 */
export function findMlflowServer(): MlflowServerSource | null {
  if (cachedSource !== undefined) return cachedSource;
  const explicit = process.env.WMS_MLFLOW_PYTHON;
  const shared = join(MLFLOW_SERVER_DIR, 'python');
  if (explicit) {
    cachedSource = canImport(explicit, undefined, 'mlflow.server')
      ? { python: explicit, pythonPath: undefined, description: `mlflow installed for ${explicit}` }
      : null;
    cachedWhyNot = `WMS_MLFLOW_PYTHON=${explicit} cannot import mlflow.server (pip install mlflow==2.12.2)`;
  } else if (!existsSync(join(shared, 'mlflow'))) {
    cachedSource = null;
    cachedWhyNot = `no MLflow server source at ${MLFLOW_SERVER_DIR} and WMS_MLFLOW_PYTHON is not set`;
  } else if (!canImport('/usr/bin/python3', shared, 'flask, sqlalchemy, alembic, gunicorn, mlflow.server')) {
    // With WMS_REQUIRE_MLFLOW=1 (set by .ci/run after installing these) not a skip reason. Locally, say how to get them.
    cachedSource = null;
    cachedWhyNot = `the MLflow server's Python dependencies are missing (run ${MLFLOW_SERVER_DIR}/start.sh --install-deps)`;
  } else {
    cachedSource = {
      python: '/usr/bin/python3',
      pythonPath: shared,
      description: `${MLFLOW_SERVER_DIR} (MLflow 2.12.2)`,
    };
  }
  return cachedSource;
}

export function mlflowServerMissingReason(): string {
  findMlflowServer();
  return cachedWhyNot;
}

/**
 * Whether the real-server tests must run: where a server was installed for them (.ci/run when
 * ../shared/mlflow-server exists, ci.yml after its pip install) WMS_REQUIRE_MLFLOW=1 makes a missing
 * server a failure, not a skip. A fresh clone without ../shared skips them, CI=true or not.
 */
const mustRun = (): boolean => process.env.WMS_REQUIRE_MLFLOW === '1';

/**
 * `describe` when a real MLflow server can be started here; otherwise a visible skip naming what
 * is missing. With WMS_REQUIRE_MLFLOW=1 a missing server fails the suite instead of skipping it.
 */
export const describeWithMlflowServer: jest.Describe = ((name: string, fn: () => void) => {
  if (findMlflowServer() || mustRun()) return describe(name, fn);
  return describe.skip(`${name} [skipped: ${mlflowServerMissingReason()}]`, fn);
}) as unknown as jest.Describe;

export interface StartMlflowServerOptions {
  /** `--default-artifact-root` (e.g. s3://bucket/prefix); implies --no-serve-artifacts. */
  defaultArtifactRoot?: string;
  /** Extra environment for the server (MLFLOW_S3_ENDPOINT_URL, AWS_* for an S3 root). */
  env?: NodeJS.ProcessEnv;
  /** Reserve the port at once but start the server only after this many ms (for /health polling tests). */
  delayStartMs?: number;
  /** How long to wait for /health before giving up; default 60 s. */
  readyTimeoutMs?: number;
  /** Don't wait for /health (the caller polls it); default false. */
  noWait?: boolean;
}

export interface RunningMlflowServer {
  url: string;
  port: number;
  stateDir: string;
  /** The server's stdout+stderr so far (for failure messages). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number, log: () => Promise<string>) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`The MLflow server exited (${child.exitCode ?? child.signalCode}); its log:\n${await log()}`);
    }
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      throw new Error(
        `The MLflow server at ${url} did not answer /health within ${timeoutMs} ms; its log:\n${await log()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Starts a fresh real MLflow server; throws with the reason when none can be started here. */
export async function startMlflowServer(options: StartMlflowServerOptions = {}): Promise<RunningMlflowServer> {
  const source = findMlflowServer();
  if (!source) throw new Error(`Cannot start a real MLflow server: ${mlflowServerMissingReason()}.`);
  const port = await freePort();
  const stateDir = await fsp.mkdtemp(join(tmpdir(), 'wms-mlflow-'));
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(stateDir, 'server.log');
  const args = [
    '-m',
    'mlflow',
    'server',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--backend-store-uri',
    `sqlite:///${join(stateDir, 'mlflow.db')}`,
    '--workers',
    '1',
  ];
  if (options.defaultArtifactRoot) {
    args.push('--default-artifact-root', options.defaultArtifactRoot, '--no-serve-artifacts');
  } else {
    args.push('--artifacts-destination', join(stateDir, 'artifacts'), '--serve-artifacts');
  }
  const log = (): Promise<string> => fsp.readFile(logFile, 'utf8').catch(() => '');
  let child: ChildProcess | undefined;
  let stopped = false;
  const launch = async (): Promise<ChildProcess> => {
    const out = await fsp.open(logFile, 'a');
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, PYTHONDONTWRITEBYTECODE: '1' };
    if (source.pythonPath) env.PYTHONPATH = source.pythonPath;
    const proc = spawn(source.python, args, {
      cwd: stateDir,
      env,
      detached: true, // own process group: stop() kills gunicorn's workers too
      stdio: ['ignore', out.fd, out.fd],
    });
    await out.close();
    proc.unref();
    return proc;
  };
  const kill = (signal: NodeJS.Signals): void => {
    if (child?.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      /* already gone */
    }
  };
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child!.once('exit', () => r()));
      kill('SIGTERM');
      const timer = setTimeout(() => kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      kill('SIGKILL'); // a worker that outlived its master
    }
    await fsp.rm(stateDir, { recursive: true, force: true });
  };

  if (options.delayStartMs) {
    const timer = setTimeout(() => {
      if (!stopped) void launch().then((p) => (child = p));
    }, options.delayStartMs);
    timer.unref();
    return { url, port, stateDir, log, stop: async () => (clearTimeout(timer), stop()) };
  }
  child = await launch();
  if (!options.noWait) {
    try {
      await waitForHealth(url, child, options.readyTimeoutMs ?? 60_000, log);
    } catch (error) {
      await stop();
      throw error;
    }
  }
  return { url, port, stateDir, log, stop };
}

/**
 * Data versioning end to end against real services: git repositories with a bare remote, the
 * S3 protocol from s3rver on 127.0.0.1, and data-qa on generated image/mask pairs.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMemoryLogger, isUserError } from '@wms/core';
import { runDataPushStage } from '@wms/pipeline/data-push-stage';
import {
  DATA_HEAD_REF,
  LocalDirectoryStore,
  S3Store,
  countingStore,
  dataStatus,
  objectKey,
  parsePointer,
  pullData,
  serializeDirObject,
  dirObjectId,
  installPrePushHook,
  quoteCommand,
  type DataLayout,
  type TransferCounters,
} from '@wms/storage';
import { git, makeGitWorld, startS3rver, writeTinyDataset, type GitWorld, type RunningS3rver } from '@wms/test-support';

const DATA = 'WMS/data/training';
const md5 = (data: Buffer): string => createHash('md5').update(data).digest('hex');

let s3: RunningS3rver;
/** Each test gets its own git remote, so one test's data version never names another's objects. */
let world: GitWorld;
const roots: string[] = [];

beforeAll(async () => {
  s3 = await startS3rver({ buckets: ['wms-data'] });
});

beforeEach(() => {
  world = makeGitWorld();
  roots.push(world.root);
});

afterAll(async () => {
  await s3.stop();
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function s3Store(prefix: string): S3Store {
  return new S3Store({
    bucket: 'wms-data',
    prefix,
    endpoint: s3.endpoint,
    credentials: s3.credentials,
    retry: { attempts: 2, baseMs: 1 },
  });
}

function layoutOf(repoDir: string): DataLayout {
  return { repoDir, dataDir: DATA, outs: ['images', 'masks'] };
}

/** Writes `count` valid pairs named <prefix>_NNN.png into the clone's training folders. */
async function addPairs(repoDir: string, prefix: string, count: number, seed: number): Promise<string[]> {
  const scratch = join(world.root, `scratch-${prefix}-${seed}`);
  const pairs = await writeTinyDataset(scratch, count, seed);
  const names: string[] = [];
  for (const pair of pairs) {
    const name = `${prefix}_${pair.id}.png`;
    for (const [from, folder] of [
      [pair.image, 'images'],
      [pair.mask, 'masks'],
    ] as const) {
      const target = join(repoDir, DATA, folder, name);
      mkdirSync(join(repoDir, DATA, folder), { recursive: true });
      writeFileSync(target, readFileSync(from));
    }
    names.push(name);
  }
  rmSync(scratch, { recursive: true, force: true });
  return names;
}

async function listKeys(store: S3Store): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of store.list('files/md5/')) keys.push(item.key);
  return keys.sort();
}

function s3Env(prefix: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    WMS_DATA_REMOTE: `s3://wms-data/${prefix}`,
    WMS_S3_ENDPOINT: s3.endpoint,
    AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    // Run the CLI from source through tsx, with the repository's path mapping.
    TSX_TSCONFIG_PATH: join(__dirname, '../../../tsconfig.json'),
    WMS_DEBUG: '1',
  };
}

/** Runs a command without blocking this process's event loop (s3rver lives in it). */
function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const CLI = [join(__dirname, '../../../node_modules/tsx/dist/cli.mjs'), join(__dirname, '../../cli/src/bin.ts')];

describe('the pre-push hook (real git push through the installed hook, S3 via s3rver)', () => {
  it('versions new pairs on a data branch, blocks the push to main, and lets the next push through', async () => {
    const repo = world.clone('hook');
    const env = s3Env('hook');
    // What `wms hooks install --command …` does; the hook then runs the CLI from source.
    await installPrePushHook(repo, quoteCommand([process.execPath, ...CLI]));
    expect(readFileSync(join(repo, '.git/hooks/pre-push'), 'utf8')).toContain('data push --hook "$@"');
    const names = await addPairs(repo, 'hook', 3, 11);
    writeFileSync(join(repo, 'notes.txt'), 'code change\n');
    git(repo, 'add', 'notes.txt');
    git(repo, 'commit', '-q', '-m', 'code');
    const mainBefore = git(repo, 'ls-remote', world.remote, 'refs/heads/main');

    const pushed = await run('git', ['push', 'origin', 'main'], { cwd: repo, env });
    expect(pushed.status).not.toBe(0);
    expect(pushed.stderr).toContain('The push to main was stopped on purpose');
    expect(git(repo, 'ls-remote', world.remote, 'refs/heads/main')).toBe(mainBefore);

    const branch = /branch (data\/\d{8}-\d{6}(?:-\d+)?)/.exec(pushed.stderr)?.[1];
    expect(branch).toBeDefined();
    git(repo, 'fetch', '-q', 'origin', branch!);
    // The data branch is the pushed commit plus the pointer files; raw images are never committed.
    const files = git(repo, 'ls-tree', '-r', '--name-only', 'FETCH_HEAD').split('\n');
    expect(files).toEqual(expect.arrayContaining([`${DATA}/images.dvc`, `${DATA}/masks.dvc`, 'notes.txt']));
    expect(files.some((f) => f.endsWith('.png'))).toBe(false);
    expect(git(repo, 'rev-parse', 'FETCH_HEAD^')).toBe(git(repo, 'rev-parse', 'HEAD'));

    // DVC-compatible: the pointer names a .dir object whose bytes are DVC's listing of the local files.
    const pointer = parsePointer(git(repo, 'show', `FETCH_HEAD:${DATA}/images.dvc`), 'images.dvc');
    const local = names.map((name) => {
      const bytes = readFileSync(join(repo, DATA, 'images', name));
      return { relpath: name, md5: md5(bytes), size: bytes.length };
    });
    const expectedDir = serializeDirObject(local);
    expect(pointer).toEqual({
      oid: dirObjectId(expectedDir),
      nfiles: 3,
      size: local.reduce((n, f) => n + f.size, 0),
      path: 'images',
    });
    const store = s3Store('hook');
    expect((await store.getBytes(objectKey(pointer.oid)))?.equals(expectedDir)).toBe(true);
    for (const f of local) expect(md5((await store.getBytes(objectKey(f.md5)))!)).toBe(f.md5);
    expect(await listKeys(store)).toHaveLength(3 + 3 + 2);

    // Nothing new now: the hook lets the push through.
    const again = await run('git', ['push', 'origin', 'main'], { cwd: repo, env });
    expect(again.status).toBe(0);
    expect(git(repo, 'ls-remote', world.remote, 'refs/heads/main')).toContain(git(repo, 'rev-parse', 'HEAD'));
    store.close();
  }, 60_000);
});

describe('wms data push (in-process stage, S3 via s3rver)', () => {
  it('uploads nothing when data-qa refuses a new file, and names it', async () => {
    const repo = world.clone('qa-fail');
    await addPairs(repo, 'bad', 2, 3);
    rmSync(join(repo, DATA, 'masks', 'bad_tiny_001.png'));
    const store = s3Store('qa-fail');
    const logger = createMemoryLogger();
    const error = await runDataPushStage({ cwd: repo }, { logger, store }).catch((e: unknown) => e);
    expect(isUserError(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(
      /data-qa refused the new files; nothing was uploaded[\s\S]*bad_tiny_001/,
    );
    expect(await listKeys(store)).toEqual([]);
    expect(git(repo, 'ls-remote', world.remote, DATA_HEAD_REF)).toBe('');
    store.close();
  }, 30_000);

  it('refuses a changed file under a versioned name unless --replace, as DVC merges do', async () => {
    const repo = world.clone('replace');
    const store = s3Store('replace');
    const logger = createMemoryLogger();
    const [name] = await addPairs(repo, 'rep', 1, 5);
    await runDataPushStage({ cwd: repo }, { logger, store });
    // Same name, other (still valid) content.
    const other = join(world.root, 'other');
    const [pair] = await writeTinyDataset(other, 1, 99);
    writeFileSync(join(repo, DATA, 'images', name!), readFileSync(pair!.image));
    writeFileSync(join(repo, DATA, 'masks', name!), readFileSync(pair!.mask));
    const refused = await runDataPushStage({ cwd: repo }, { logger, store }).catch((e: unknown) => e);
    expect(String((refused as Error).message)).toContain(`already exist in the data version with different content`);
    expect(String((refused as Error).message)).toContain(`${DATA}/images/${name}`);
    const replaced = await runDataPushStage({ cwd: repo, replace: true }, { logger, store });
    expect(replaced.push.folders.map((f) => [f.out, f.added, f.replaced, f.nfiles])).toEqual([
      ['images', 0, 1, 1],
      ['masks', 0, 1, 1],
    ]);
    const status = await dataStatus({ layout: layoutOf(repo), remote: 'origin' }, { store });
    expect(status.folders.every((f) => f.added.length + f.changed.length === 0)).toBe(true);
    store.close();
  }, 30_000);

  it('two pushers at once: the one that loses the compare-and-set merges and both sets end up in the remote', async () => {
    const a = world.clone('racer-a');
    const b = world.clone('racer-b');
    const namesA = await addPairs(a, 'alice', 2, 21);
    const namesB = await addPairs(b, 'bob', 2, 22);
    let releaseA: () => void = () => undefined;
    const bDone = new Promise<void>((resolve) => {
      releaseA = resolve;
    });
    const storeA = s3Store('race');
    const storeB = s3Store('race');
    // A reads the data version, uploads, then waits at its compare-and-set until B has finished.
    const pushA = runDataPushStage(
      { cwd: a },
      {
        logger: createMemoryLogger(),
        store: storeA,
        beforeHeadUpdate: async (attempt) => {
          if (attempt === 1) await bDone;
        },
      },
    );
    const resultB = await runDataPushStage({ cwd: b }, { logger: createMemoryLogger(), store: storeB });
    releaseA();
    const resultA = await pushA;
    expect(resultB.push.headAttempts).toBe(1);
    expect(resultA.push.headAttempts).toBe(2);
    expect(resultA.push.branch).not.toBe(resultB.push.branch);

    const c = world.clone('race-reader');
    const pulled = await pullData(
      { layout: layoutOf(c), version: 'latest' },
      { store: storeA, logger: createMemoryLogger() },
    );
    expect(pulled.downloaded).toBe(8);
    expect(readdirSync(join(c, DATA, 'images')).sort()).toEqual([...namesA, ...namesB].sort());
    storeA.close();
    storeB.close();
  }, 40_000);
});

describe('interruption: the push process killed mid-upload', () => {
  it('leaves the remote manifest untouched; the re-run uploads only what is missing', async () => {
    const repo = world.clone('killed');
    await addPairs(repo, 'kill', 6, 31);
    const env = s3Env('killed');
    // A proxy in front of s3rver that lets 4 object PUTs through, holds the 5th, and then the
    // test kills the CLI while that upload is in flight.
    const http = await import('node:http');
    let puts = 0;
    let onHeld: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      onHeld = resolve;
    });
    const target = new URL(s3.endpoint);
    // The kill comes only once the 5th object PUT is held AND the first 4 have been answered by the
    // store: killing on the 5th PUT's arrival alone raced the 4 still in flight (a busy machine saw
    // 0 of them stored).
    let answered = 0;
    let fifthHeld = false;
    const maybeHeld = (): void => {
      if (fifthHeld && answered >= 4) onHeld();
    };
    const proxy = http.createServer((req, res) => {
      const objectPut = req.method === 'PUT' && req.url?.includes('/files/md5/');
      if (objectPut) {
        puts++;
        if (puts >= 5) {
          fifthHeld = true;
          maybeHeld();
          return; // never answered
        }
        res.on('finish', () => {
          answered++;
          maybeHeld();
        });
      }
      const upstream = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 500, up.headers);
          up.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as { port: number }).port;
    const child = spawn(process.execPath, [...CLI, 'data', 'push'], {
      cwd: repo,
      env: { ...env, WMS_S3_ENDPOINT: `http://127.0.0.1:${port}` },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const first = await Promise.race([held.then(() => 'held'), exited.then((code) => `exited ${code}`)]);
    expect(first).toBe('held');
    child.kill('SIGKILL');
    await exited;
    proxy.closeAllConnections();
    proxy.close();

    const store = s3Store('killed');
    const afterKill = await listKeys(store);
    expect(afterKill.length).toBe(4);
    expect(afterKill.some((k) => k.endsWith('.dir'))).toBe(false);
    expect(git(repo, 'ls-remote', world.remote, DATA_HEAD_REF)).toBe('');
    expect(git(repo, 'ls-remote', world.remote, 'refs/heads/data/*')).toBe('');

    const counters: TransferCounters = { uploadedBytes: 0, downloadedBytes: 0, requests: 0 };
    const rerun = await runDataPushStage(
      { cwd: repo },
      { logger: createMemoryLogger(), store: countingStore(store, counters) },
    );
    expect(rerun.push.uploadedObjects).toBe(12 - 4);
    expect(rerun.push.skippedObjects).toBe(4);
    const keys = await listKeys(store);
    expect(keys).toHaveLength(12 + 2);
    for (const key of keys.filter((k) => !k.endsWith('.dir'))) {
      const bytes = (await store.getBytes(key))!;
      expect(objectKey(md5(bytes))).toBe(key);
    }
    expect(git(repo, 'ls-remote', world.remote, DATA_HEAD_REF)).not.toBe('');
    store.close();
  }, 60_000);

  it('a network failure mid-upload (connections reset) fails the push with the manifest untouched; the re-run completes it', async () => {
    const repo = world.clone('reset');
    await addPairs(repo, 'net', 3, 61);
    const http = await import('node:http');
    let puts = 0;
    const target = new URL(s3.endpoint);
    // Lets 2 object PUTs through, then resets every later connection that tries one. Each request
    // forwarded to the store is tracked until it closes: one let through may still be landing when
    // the push gives up, and the count of stored objects below must wait for it.
    const forwarded: Promise<void>[] = [];
    const proxy = http.createServer((req, res) => {
      if (req.method === 'PUT' && req.url?.includes('/files/md5/') && ++puts > 2) {
        req.socket.destroy();
        return;
      }
      const upstream = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 500, up.headers);
          up.pipe(res);
        },
      );
      forwarded.push(new Promise<void>((resolve) => upstream.on('close', () => resolve())));
      upstream.on('error', () => undefined);
      // A client cut off mid-body would leave the forwarded request waiting for the rest.
      req.on('close', () => {
        if (!req.complete) upstream.destroy();
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const flaky = new S3Store({
      bucket: 'wms-data',
      prefix: 'reset',
      endpoint: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`,
      credentials: s3.credentials,
      retry: { attempts: 3, baseMs: 1 },
    });
    const failed = await runDataPushStage({ cwd: repo }, { logger: createMemoryLogger(), store: flaky }).catch(
      (e: unknown) => e,
    );
    flaky.close();
    proxy.closeAllConnections();
    proxy.close();
    expect(failed).toBeInstanceOf(Error);
    expect(puts).toBeGreaterThan(2 + 2); // the failing PUTs were retried
    expect(git(repo, 'ls-remote', world.remote, DATA_HEAD_REF)).toBe('');
    expect(git(repo, 'ls-remote', world.remote, 'refs/heads/data/*')).toBe('');

    await Promise.all(forwarded);
    const store = s3Store('reset');
    const stored = (await listKeys(store)).length; // the PUTs let through, unless cut when the push gave up
    expect(stored).toBeLessThanOrEqual(2);
    const rerun = await runDataPushStage({ cwd: repo }, { logger: createMemoryLogger(), store });
    expect([rerun.push.uploadedObjects, rerun.push.skippedObjects]).toEqual([6 - stored, stored]);
    expect(git(repo, 'ls-remote', world.remote, DATA_HEAD_REF)).not.toBe('');
    store.close();
  }, 30_000);
});

describe('wms data pull', () => {
  it('materialises the version, verifying every object, and refuses a corrupted one', async () => {
    const writer = world.clone('pull-writer');
    await addPairs(writer, 'pull', 3, 41);
    const store = s3Store('pull');
    const pushed = await runDataPushStage({ cwd: writer }, { logger: createMemoryLogger(), store });

    const reader = world.clone('pull-reader');
    git(reader, 'fetch', '-q', 'origin', pushed.push.branch!);
    git(reader, 'checkout', '-q', 'FETCH_HEAD');
    const result = await pullData({ layout: layoutOf(reader) }, { store, logger: createMemoryLogger() });
    expect(result.downloaded).toBe(6);
    for (const folder of ['images', 'masks']) {
      for (const name of readdirSync(join(writer, DATA, folder))) {
        expect(
          readFileSync(join(reader, DATA, folder, name)).equals(readFileSync(join(writer, DATA, folder, name))),
        ).toBe(true);
      }
    }
    const status = await dataStatus({ layout: layoutOf(reader), offline: true }, { store });
    expect(status.clean).toBe(true);

    // Damage one object in s3rver's own files (same length, other bytes), delete the local copy, pull again.
    const victim = readdirSync(join(reader, DATA, 'images')).sort()[0]!;
    const victimMd5 = md5(readFileSync(join(reader, DATA, 'images', victim)));
    const key = objectKey(victimMd5);
    const parts = key.split('/');
    const onDisk = join(s3.directory, 'wms-data', 'pull', ...parts.slice(0, -1), `${parts.at(-1)}._S3rver_object`);
    expect(existsSync(onDisk)).toBe(true);
    const bytes = readFileSync(onDisk);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    writeFileSync(onDisk, bytes);
    rmSync(join(reader, DATA, 'images', victim));

    const error = await pullData({ layout: layoutOf(reader) }, { store, logger: createMemoryLogger() }).catch(
      (e: unknown) => e,
    );
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toContain('1 corrupted');
    expect((error as Error).message).toContain(`images/${victim} (${key})`);
    expect(existsSync(join(reader, DATA, 'images', victim))).toBe(false);
    const missing = await dataStatus({ layout: layoutOf(reader), offline: true }, { store });
    expect(missing.folders[0]!.missing).toEqual([victim]);
    store.close();
  }, 30_000);

  it('works against the embedded local-directory store with the same layout', async () => {
    const repo = world.clone('local-store');
    await addPairs(repo, 'loc', 1, 51);
    const result = await runDataPushStage({ cwd: repo, env: {} }, { logger: createMemoryLogger() });
    const store = new LocalDirectoryStore(join(repo, '.wms/data-remote'));
    const oid = result.push.folders[0]!.oid!;
    expect(await store.has(objectKey(oid))).toBe(true);
    expect(readFileSync(join(repo, '.wms/data-remote/.gitignore'), 'utf8')).toBe('*\n');
    const status = await dataStatus({ layout: layoutOf(repo), remote: 'origin' }, { store });
    expect(status.folders.map((f) => f.added.length)).toEqual([0, 0]);
  }, 30_000);
});

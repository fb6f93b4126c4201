import { spawn, spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger, UserError } from '@wms/core';
import { ChampionChangedError, createRegistry, withFileLock, type RegistryBackend } from '../src';
import { makeModelDir, makeTempDir } from '@wms/test-support';

let work: string;
let backend: RegistryBackend;

beforeEach(async () => {
  work = await makeTempDir();
  backend = createRegistry({ workdir: work, logger: createMemoryLogger(), env: {} });
});
afterEach(async () => {
  await fsp.rm(work, { recursive: true, force: true });
});

describe('local store on a GitHub runner', () => {
  const onRunner = { GITHUB_ACTIONS: 'true' };
  it('is refused when nothing configured a tracking server (it would be lost with the workspace)', () => {
    for (const trackingUri of [undefined, '']) {
      expect(() => createRegistry({ trackingUri, workdir: work, logger: createMemoryLogger(), env: onRunner })).toThrow(
        /No tracking server configured: on a GitHub runner the local registry in .wms\/registry would be deleted/,
      );
    }
  });

  it("is used, and marked as not persisting, when asked for explicitly with 'local'", () => {
    const local = createRegistry({ trackingUri: 'local', workdir: work, logger: createMemoryLogger(), env: onRunner });
    expect(local).toEqual(expect.objectContaining({ kind: 'local', ephemeral: true }));
  });
});

describe('local store', () => {
  it("lives under <workdir>/.wms/registry when no tracking URI is set (or 'local')", () => {
    expect(backend).toEqual(expect.objectContaining({ kind: 'local', location: join(work, '.wms/registry') }));
    expect(
      createRegistry({ trackingUri: 'local', workdir: work, logger: createMemoryLogger(), env: {} }).location,
    ).toBe(join(work, '.wms/registry'));
    expect(
      createRegistry({ trackingUri: 'store', workdir: work, logger: createMemoryLogger(), env: {} }).location,
    ).toBe(join(work, 'store'));
    expect(() =>
      createRegistry({ trackingUri: 'ftp://x', workdir: work, logger: createMemoryLogger(), env: {} }),
    ).toThrow(UserError);
  });

  it('tracks a run: params, per-step metrics, tags, artifacts and status', async () => {
    const run = await backend.tracking.startRun({ experiment: 'meters', runName: 'r1', tags: { pr: '3' } });
    await run.logParams({ epochs: 5, lr: 0.001, augment: true });
    await run.logMetrics({ loss: 0.9, dice: 0.4 }, 0);
    await run.logMetrics({ loss: 0.5, dice: 0.6 }, 1);
    await run.logArtifacts(await makeModelDir(work, 'm', { dice: 0.6, iou: 0.5 }), 'model');
    await run.end('FINISHED');
    const record = JSON.parse(await fsp.readFile(join(backend.location, 'runs', run.runId, 'run.json'), 'utf8'));
    expect(record).toEqual(
      expect.objectContaining({
        status: 'FINISHED',
        params: { epochs: '5', lr: '0.001', augment: 'true' },
        tags: { pr: '3' },
      }),
    );
    expect(
      record.metrics.filter((m: { key: string }) => m.key === 'dice').map((m: { step: number }) => m.step),
    ).toEqual([0, 1]);
    await expect(
      fsp.readFile(join(backend.location, 'runs', run.runId, 'artifacts/model/weights.bin')),
    ).resolves.toBeTruthy();
  });

  it('registers copies of the artifacts, promotes, archives the previous champion and lists history', async () => {
    const { registry } = backend;
    expect(await registry.getChampion('meter')).toBeNull();
    const dir = await makeModelDir(work, 'v1', { dice: 0.6, iou: 0.5 });
    const v1 = await registry.registerVersion({ model: 'meter', artifactsDir: dir, metrics: { dice: 0.6, iou: 0.5 } });
    await fsp.rm(dir, { recursive: true });
    await registry.promote('meter', v1.version, { expectedChampionVersion: null, tags: { 'wms.pr': '1' } });
    const v2 = await registry.registerVersion({
      model: 'meter',
      artifactsDir: await makeModelDir(work, 'v2', { dice: 0.7, iou: 0.6 }),
      metrics: { dice: 0.7, iou: 0.6 },
    });
    expect(await registry.promote('meter', v2.version, { expectedChampionVersion: '1' })).toEqual({
      model: 'meter',
      version: '2',
      previousVersion: '1',
    });
    expect((await registry.history('meter')).map((v) => [v.version, v.status])).toEqual([
      ['1', 'archived'],
      ['2', 'champion'],
    ]);
    const dest = join(work, 'dl');
    await registry.downloadArtifacts('meter', '1', dest);
    expect(JSON.parse(await fsp.readFile(join(dest, 'model.json'), 'utf8')).quality.dice).toBe(0.6);
  });

  it('refuses unsafe model names and missing artifact folders with the value in the message', async () => {
    await expect(
      backend.registry.registerVersion({ model: '../x', artifactsDir: work, metrics: { dice: 1, iou: 1 } }),
    ).rejects.toThrow(/Invalid model name "..\/x"/);
    await expect(
      backend.registry.registerVersion({ model: 'm', artifactsDir: join(work, 'nope'), metrics: { dice: 1, iou: 1 } }),
    ).rejects.toThrow(/Model artifacts directory ".*nope" is not a directory/);
  });
});

describe('races and crashes', () => {
  it('lets only one of two simultaneous promotions win; the other is refused with a clear message', async () => {
    const { registry } = backend;
    const dir = await makeModelDir(work, 'm', { dice: 0.6, iou: 0.5 });
    const [a, b] = await Promise.all(
      [0, 1].map((i) =>
        registry.registerVersion({ model: 'meter', artifactsDir: dir, metrics: { dice: 0.6 + i / 100, iou: 0.5 } }),
      ),
    );
    const results = await Promise.allSettled(
      [a!, b!].map((v) => registry.promote('meter', v.version, { expectedChampionVersion: null })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(ChampionChangedError);
    expect(String(lost[0]!.reason.message)).toMatch(
      /gate compared against no champion, the champion is now version [12]/,
    );
    expect(lost[0]!.reason.hint).toContain('Re-run the quality gate');
  });

  it('two processes promoting at the same moment: exactly one wins, the other is refused', async () => {
    const store = join(work, 'store');
    const modelDir = await makeModelDir(work, 'm', { dice: 0.7, iou: 0.6 });
    const go = join(work, 'go');
    const script = join(__dirname, 'fixtures/promote-once.ts');
    const children = ['pr-1', 'pr-2'].map((runId) =>
      spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), script, store, modelDir, go, runId], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    const outputs = children.map(
      (child) =>
        new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${out}`))));
        }),
    );
    await Promise.all(children.map((c) => new Promise((r) => c.stdout.once('data', r))));
    await fsp.writeFile(go, '');
    const raw = await Promise.all(outputs);
    const results = raw.map((o) => JSON.parse(o.trim().split('\n').pop()!));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const refused = results.find((r) => !r.ok);
    expect(refused.message).toMatch(/Refusing to promote meter: the champion changed since the quality gate ran/);
    const local = createRegistry({ trackingUri: store, workdir: work, logger: createMemoryLogger(), env: {} });
    expect((await local.registry.history('meter')).filter((v) => v.status === 'champion')).toHaveLength(1);
  }, 30_000);

  it('recovers a lock left by a dead process, and times out naming a live holder', async () => {
    const lock = join(work, 'x.lock');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    await fsp.writeFile(lock, JSON.stringify({ pid: Number(dead), host: hostname(), token: 't', at: Date.now() }));
    await expect(withFileLock(lock, async () => 'got it', { timeoutMs: 2000 })).resolves.toBe('got it');
    await fsp.writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), token: 'live', at: Date.now() }));
    await expect(withFileLock(lock, async () => 'never', { timeoutMs: 100, pollMs: 10 })).rejects.toThrow(
      new RegExp(`waiting for the lock .*x\\.lock, held by process ${process.pid}`),
    );
  });

  it('leaves a readable, usable store when a writer is killed mid-write (SIGKILL)', async () => {
    const store = join(work, 'store');
    const modelDir = await makeModelDir(work, 'm', { dice: 0.6, iou: 0.5 });
    // tsx as a require hook (not its CLI, which forks) so SIGKILL hits the writer itself.
    const writer = join(__dirname, 'fixtures/local-store-writer.ts');
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), writer, store, modelDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`writer exited early with ${code}: ${stderr}`)));
    });
    await new Promise((r) => setTimeout(r, 150 + Math.random() * 200));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const local = createRegistry({
      trackingUri: store,
      workdir: work,
      logger: createMemoryLogger(),
      env: {},
      lock: { timeoutMs: 5000 },
    });
    const history = await local.registry.history('meter');
    expect(history.length).toBeGreaterThanOrEqual(3);
    const champion = await local.registry.getChampion('meter');
    expect(champion).not.toBeNull();
    // The store keeps working: a dead writer's lock is recovered and the next promotion succeeds.
    const next = await local.registry.registerVersion({
      model: 'meter',
      artifactsDir: modelDir,
      metrics: { dice: 0.9, iou: 0.9 },
    });
    await local.registry.promote('meter', next.version, { expectedChampionVersion: champion!.version });
    expect((await local.registry.getChampion('meter'))!.version).toBe(next.version);
  }, 30_000);
});

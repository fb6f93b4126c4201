/**
 * runDataPullStage on a real data version: pushed with pushData into a folder store, then pulled
 * into a fresh clone of the data branch (pointer files only, as CI checks it out).
 */
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, createMemoryLogger } from '@wms/core';
import { runDataPullStage } from '@wms/pipeline/data-pull-stage';
import { DATA_DIR, makeVersionedData, type VersionedData } from './data-pull-stage-fixtures';

jest.setTimeout(60_000);

let data: VersionedData;
beforeEach(async () => {
  data = await makeVersionedData(3);
});
afterEach(() => rmSync(data.root, { recursive: true, force: true }));

describe('runDataPullStage', () => {
  it('materialises every file of the version into an empty checkout, byte for byte', async () => {
    expect(existsSync(join(data.checkout, DATA_DIR, 'images'))).toBe(false);
    const logger = createMemoryLogger();
    const result = await runDataPullStage({ cwd: data.checkout, remoteUrl: data.storeDir, env: {} }, { logger });
    for (const [relpath, bytes] of data.files) {
      expect(readFileSync(join(data.checkout, DATA_DIR, relpath))).toEqual(bytes);
    }
    const totalBytes = [...data.files.values()].reduce((s, b) => s + b.length, 0);
    expect(result).toMatchObject({
      files: 6,
      downloaded: 6,
      upToDate: 0,
      bytes: totalBytes,
      downloadedBytes: totalBytes,
      dataDir: join(data.checkout, DATA_DIR),
      remote: data.storeDir,
    });
    const [images, masks] = data.push.folders;
    expect(result.version).toBe(`images=${images!.oid},masks=${masks!.oid}`);
    expect(result.summaryMarkdown).toContain('## Data pull: ✅ 6 files in place');
    expect(result.summaryMarkdown).toContain(images!.oid);

    // A second pull downloads nothing.
    const again = await runDataPullStage(
      { cwd: data.checkout, remoteUrl: data.storeDir, env: {} },
      { logger: createMemoryLogger() },
    );
    expect(again).toMatchObject({ files: 6, downloaded: 0, upToDate: 6 });
  });

  it('takes the remote from WMS_DATA_REMOTE when no URL is given', async () => {
    const result = await runDataPullStage(
      { cwd: data.checkout, env: { WMS_DATA_REMOTE: data.storeDir } },
      { logger: createMemoryLogger() },
    );
    expect(result.files).toBe(6);
  });

  it('refuses a corrupted object, naming the file and its key, and does not write it', async () => {
    const object = data.objectPath('images/meter_1.jpg');
    const bytes = readFileSync(object);
    bytes[10] = bytes[10]! ^ 0xff;
    writeFileSync(object, bytes);
    const error: unknown = await runDataPullStage(
      { cwd: data.checkout, remoteUrl: data.storeDir, env: {} },
      { logger: createMemoryLogger() },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain('1 corrupted, 0 missing');
    expect((error as Error).message).toContain('images/meter_1.jpg (files/md5/');
    expect(existsSync(join(data.checkout, DATA_DIR, 'images/meter_1.jpg'))).toBe(false);
    // Nothing half-written beside it; the intact files are in place.
    expect(readdirSync(join(data.checkout, DATA_DIR, 'images')).sort()).toEqual(['meter_0.jpg', 'meter_2.jpg']);
  });

  it('refuses a missing object, naming the file', async () => {
    rmSync(data.objectPath('masks/meter_2.png'));
    await expect(
      runDataPullStage({ cwd: data.checkout, remoteUrl: data.storeDir, env: {} }, { logger: createMemoryLogger() }),
    ).rejects.toThrow(/0 corrupted, 1 missing[\s\S]*masks\/meter_2\.png \(files\/md5\/.*not in the remote/);
  });

  it('succeeds with files=0 and says so when there are no pointer files (a dataset committed as it is)', async () => {
    rmSync(join(data.checkout, DATA_DIR, 'images.dvc'));
    rmSync(join(data.checkout, DATA_DIR, 'masks.dvc'));
    const logger = createMemoryLogger();
    const result = await runDataPullStage({ cwd: data.checkout, env: {} }, { logger });
    expect(result).toMatchObject({ files: 0, bytes: 0, version: '' });
    expect(logger.messages('info')).toContainEqual(expect.stringContaining('No pointer files'));
    expect(result.summaryMarkdown).toContain('nothing to pull');
  });

  it('refuses one pointer file without the other, naming the missing one', async () => {
    rmSync(join(data.checkout, DATA_DIR, 'masks.dvc'));
    await expect(
      runDataPullStage({ cwd: data.checkout, remoteUrl: data.storeDir, env: {} }, { logger: createMemoryLogger() }),
    ).rejects.toThrow(`The pointer file ${DATA_DIR}/masks.dvc is missing`);
  });

  it('refuses pointer files when no data remote is configured', async () => {
    await expect(runDataPullStage({ cwd: data.checkout, env: {} }, { logger: createMemoryLogger() })).rejects.toThrow(
      /No data remote configured/,
    );
  });
});

/**
 * The committed data-pull bundle run the way the runner runs it (INPUT_* variables, runner files,
 * no node_modules), in a clone of a data branch that holds only pointer files, against the
 * folder store the data was pushed to with pushData.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3Store } from '@wms/storage';
import { e2eNodes, runActionBundle, startS3rver } from '@wms/test-support';
import {
  DATA_DIR,
  makeVersionedData,
  type VersionedData,
} from '../../../packages/pipeline/__tests__/data-pull-stage-fixtures';

jest.setTimeout(120_000);

let data: VersionedData;
beforeEach(async () => {
  data = await makeVersionedData(2);
});
afterEach(() => rmSync(data.root, { recursive: true, force: true }));

describe.each(e2eNodes())('data-pull bundle on %s', (node) => {
  it('pulls the version named by the pointer files, setting outputs and the summary', async () => {
    const run = await runActionBundle({
      action: 'data-pull',
      node,
      workspace: data.checkout,
      inputs: { remote: data.storeDir },
    });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const [images, masks] = data.push.folders;
    const bytes = [...data.files.values()].reduce((s, b) => s + b.length, 0);
    expect(run.outputs).toEqual({
      files: '4',
      bytes: String(bytes),
      downloaded: '4',
      'data-dir': join(data.checkout, DATA_DIR),
      version: `images=${images!.oid},masks=${masks!.oid}`,
    });
    for (const [relpath, content] of data.files)
      expect(readFileSync(join(data.checkout, DATA_DIR, relpath))).toEqual(content);
    expect(run.summary).toContain('## Data pull: ✅ 4 files in place');
    expect(run.stdout).toContain('Downloading');
  });

  it('fails on a corrupted object with an error naming the file (remote from WMS_DATA_REMOTE)', async () => {
    const object = data.objectPath('masks/meter_1.png');
    const bytes = readFileSync(object);
    bytes[0] = bytes[0]! ^ 0x01;
    writeFileSync(object, bytes);
    const run = await runActionBundle({
      action: 'data-pull',
      node,
      workspace: data.checkout,
      inputs: {},
      env: { WMS_DATA_REMOTE: data.storeDir },
    });
    expect(run.exitCode).toBe(1);
    expect(run.annotations).toContainEqual(
      expect.objectContaining({ level: 'error', message: expect.stringContaining('masks/meter_1.png (files/md5/') }),
    );
    expect(run.outputs.files).toBeUndefined();
  });

  it('succeeds with files=0 when the dataset has no pointer files', async () => {
    rmSync(join(data.checkout, DATA_DIR, 'images.dvc'));
    rmSync(join(data.checkout, DATA_DIR, 'masks.dvc'));
    const run = await runActionBundle({ action: 'data-pull', node, workspace: data.checkout, inputs: {} });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ files: '0', bytes: '0', version: '' });
    expect(run.summary).toContain('nothing to pull');
  });

  it('pulls from S3 (s3rver on 127.0.0.1) with the credentials and endpoint from the environment', async () => {
    const s3 = await startS3rver({ buckets: ['wms-data'] });
    const store = new S3Store({
      bucket: 'wms-data',
      prefix: 'team/data',
      endpoint: s3.endpoint,
      credentials: s3.credentials,
    });
    let s3data: VersionedData | undefined;
    try {
      s3data = await makeVersionedData(2, store);
      const run = await runActionBundle({
        action: 'data-pull',
        node,
        workspace: s3data.checkout,
        inputs: { remote: 's3://wms-data/team/data', jobs: '2' },
        env: {
          WMS_S3_ENDPOINT: s3.endpoint,
          AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
          AWS_REGION: 'us-east-1',
        },
      });
      // On node20 (not what the action runs on) the AWS SDK warns that it will soon need node >=22.
      expect(
        run.stderr.replace(/^\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*--trace-warnings[^\n]*\n/, ''),
      ).toBe('');
      expect(run.exitCode).toBe(0);
      expect(run.outputs).toMatchObject({ files: '4', downloaded: '4' });
      for (const [relpath, content] of s3data.files)
        expect(readFileSync(join(s3data.checkout, DATA_DIR, relpath))).toEqual(content);
      expect(run.summary).toContain('s3://wms-data/team/data');
    } finally {
      store.close();
      if (s3data) rmSync(s3data.root, { recursive: true, force: true });
      await s3.stop();
    }
  });
});

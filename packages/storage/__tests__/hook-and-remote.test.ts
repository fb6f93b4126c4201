import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LocalDirectoryStore,
  S3Store,
  isRetryableS3Error,
  mergeAdditions,
  openStore,
  parsePrePushInput,
  protectedUpdate,
  quoteCommand,
  readDvcRemote,
  renderPrePushHook,
  resolveRemote,
} from '@wms/storage';

const ZERO = '0'.repeat(40);
const SHA = 'a'.repeat(40);

describe('pre-push input', () => {
  it('acts on a push to main and ignores data branches and deletions', () => {
    const updates = parsePrePushInput(
      `refs/heads/main ${SHA} refs/heads/main ${ZERO}\nrefs/heads/x ${SHA} refs/heads/data/20260101-000000 ${ZERO}\n`,
    );
    expect(protectedUpdate(updates, ['main'])?.localSha).toBe(SHA);
    expect(protectedUpdate(updates.slice(1), ['main'])).toBeUndefined();
    expect(protectedUpdate(parsePrePushInput(`(delete) ${ZERO} refs/heads/main ${SHA}`), ['main'])).toBeUndefined();
    expect(parsePrePushInput('\n')).toEqual([]);
    expect(() => parsePrePushInput('refs/heads/main abc')).toThrow(/expected four fields/);
  });

  it('writes a hook that quotes the command and passes git’s arguments and stdin on', () => {
    const hook = renderPrePushHook(quoteCommand(['/opt/node', "/it's/bin.ts"]));
    expect(hook.startsWith('#!/bin/sh\n')).toBe(true);
    expect(hook).toContain(`'/opt/node' '/it'\\''s/bin.ts' data push --hook "$@"`);
    expect(hook).toContain('pre-push.wms-chained');
  });
});

describe('remote resolution', () => {
  it('reads the default remote of a DVC config, endpointurl included', () => {
    const config = [
      '[core]',
      '    remote = storage',
      '[\'remote "storage"\']',
      '    url = s3://bucket/datasets/wms',
      '    endpointurl = http://127.0.0.1:9000',
      '[\'remote "other"\']',
      '    url = /mnt/other',
    ].join('\n');
    expect(readDvcRemote(config)).toEqual({ url: 's3://bucket/datasets/wms', endpoint: 'http://127.0.0.1:9000' });
    expect(readDvcRemote('[core]\n  autostage = true\n')).toBeUndefined();
  });

  it('prefers the flag, then WMS_DATA_REMOTE, then .dvc/config, then the embedded folder', () => {
    const repo = mkdtempSync(join(tmpdir(), 'wms-remote-'));
    expect(resolveRemote(repo, undefined, {})).toMatchObject({
      url: join(repo, '.wms/data-remote'),
      source: 'embedded default',
    });
    mkdirSync(join(repo, '.dvc'));
    writeFileSync(join(repo, '.dvc/config'), '[core]\nremote = s3\n[\'remote "s3"\']\nurl = s3://b/p\n');
    expect(resolveRemote(repo, undefined, {})).toMatchObject({ url: 's3://b/p', source: '.dvc/config' });
    expect(resolveRemote(repo, undefined, { WMS_DATA_REMOTE: '/srv/data' }).url).toBe('/srv/data');
    expect(resolveRemote(repo, 's3://flag/x', { WMS_DATA_REMOTE: '/srv/data' }).url).toBe('s3://flag/x');
    const s3 = openStore({ url: 's3://b/some/prefix/', source: 'test' }, repo);
    expect(s3).toBeInstanceOf(S3Store);
    expect(s3.location).toBe('s3://b/some/prefix');
    s3.close();
    expect(openStore({ url: 'relative/store', source: 'test' }, repo)).toBeInstanceOf(LocalDirectoryStore);
    expect(() => openStore({ url: 'gs://bucket', source: '--remote-url' }, repo)).toThrow(/unsupported scheme/);
  });

  it('retries throttling, 5xx and network errors, not 4xx', () => {
    expect(isRetryableS3Error({ $metadata: { httpStatusCode: 503 } })).toBe(true);
    expect(isRetryableS3Error({ $metadata: { httpStatusCode: 429 } })).toBe(true);
    expect(isRetryableS3Error({ $metadata: { httpStatusCode: 403 } })).toBe(false);
    expect(isRetryableS3Error({ code: 'ECONNRESET' })).toBe(true);
    expect(isRetryableS3Error(new Error('bug'))).toBe(false);
    // What the SDK throws for an error from another realm: no code, the message kept.
    expect(
      isRetryableS3Error({
        name: 'Error',
        message: 'AWS SDK error wrapper for TimeoutError: socket hang up',
        $metadata: {},
      }),
    ).toBe(true);
    expect(isRetryableS3Error({ name: 'Error', message: 'x', cause: { code: 'EPIPE' } })).toBe(true);
  });
});

describe('manifest merge (additions only, as DVC)', () => {
  const base = new Map([
    ['a.png', '1'.repeat(32)],
    ['b.png', '2'.repeat(32)],
  ]);
  it('adds new names, skips identical ones, and reports a changed file as a conflict', () => {
    const result = mergeAdditions(
      base,
      [
        { relpath: 'a.png', md5: '1'.repeat(32), size: 1 },
        { relpath: 'b.png', md5: '9'.repeat(32), size: 1 },
        { relpath: 'c.png', md5: '3'.repeat(32), size: 1 },
      ],
      false,
    );
    expect(result.added.map((c) => c.relpath)).toEqual(['c.png']);
    expect(result.conflicts).toEqual([{ relpath: 'b.png', remoteMd5: '2'.repeat(32), localMd5: '9'.repeat(32) }]);
    expect(result.manifest.get('b.png')).toBe('2'.repeat(32));
  });
  it('replaces only when asked, and never removes a name', () => {
    const result = mergeAdditions(base, [{ relpath: 'b.png', md5: '9'.repeat(32), size: 1 }], true);
    expect(result.replaced.map((c) => c.previousMd5)).toEqual(['2'.repeat(32)]);
    expect([...result.manifest.keys()]).toEqual(['a.png', 'b.png']);
  });
});

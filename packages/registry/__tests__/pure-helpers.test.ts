import { UserError } from '@wms/core';
import { chunkLogBatch, LOG_BATCH_LIMITS, redactSecrets } from '../src';
import { proxyPathOf } from '../src/mlflow/artifact-store';
import { parseS3Uri } from '../src/mlflow/s3-artifact-store';

const kv = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: 'v' }));
const metrics = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `m${i}`, value: i, timestamp: 1, step: 0 }));

describe('chunkLogBatch', () => {
  it('keeps every request within MLflow limits and loses nothing', () => {
    const chunks = chunkLogBatch({ metrics: metrics(2345), params: kv(250, 'p'), tags: kv(120, 't') });
    for (const c of chunks) {
      expect(c.metrics.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.metrics);
      expect(c.params.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.params);
      expect(c.tags.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.tags);
      expect(c.metrics.length + c.params.length + c.tags.length).toBeLessThanOrEqual(LOG_BATCH_LIMITS.total);
    }
    expect(chunks.flatMap((c) => c.metrics).map((m) => m.key)).toEqual(metrics(2345).map((m) => m.key));
    expect(chunks.flatMap((c) => c.params)).toHaveLength(250);
    expect(chunks.flatMap((c) => c.tags)).toHaveLength(120);
  });

  it('sends exactly one request at the limits and none for an empty batch', () => {
    expect(chunkLogBatch({ metrics: metrics(800), params: kv(100, 'p'), tags: kv(100, 't') })).toHaveLength(1);
    expect(chunkLogBatch({ metrics: [], params: [], tags: [] })).toEqual([]);
  });

  it('accepts a 6000-character parameter and refuses 6001 naming it', () => {
    expect(() =>
      chunkLogBatch({ metrics: [], tags: [], params: [{ key: 'ok', value: 'x'.repeat(6000) }] }),
    ).not.toThrow();
    expect(() => chunkLogBatch({ metrics: [], tags: [], params: [{ key: 'cfg', value: 'x'.repeat(6001) }] })).toThrow(
      /Parameter "cfg" is 6001 characters long/,
    );
  });
});

describe('artifact URIs', () => {
  it.each([
    ['mlflow-artifacts:/1/abc/artifacts/model', '1/abc/artifacts/model'],
    ['mlflow-artifacts://mlflow.example:5000/1/abc/artifacts/', '1/abc/artifacts'],
    ['https://h/api/2.0/mlflow-artifacts/artifacts/7/r/artifacts', '7/r/artifacts'],
  ])('%s → proxy path %s', (uri, path) => {
    expect(proxyPathOf(uri)).toBe(path);
  });

  it('parses s3 URIs and refuses others', () => {
    expect(parseS3Uri('s3://bucket/a/b/')).toEqual({ bucket: 'bucket', prefix: 'a/b' });
    expect(parseS3Uri('s3://bucket')).toEqual({ bucket: 'bucket', prefix: '' });
    expect(() => parseS3Uri('gs://x/y')).toThrow(UserError);
  });
});

describe('secrets', () => {
  it('redacts tokens, passwords and the basic-auth header value', () => {
    const auth = { username: 'ann', password: 'hunter22' };
    const basic = Buffer.from('ann:hunter22').toString('base64');
    expect(redactSecrets(`pw hunter22 header Basic ${basic}, alone ${basic}`, auth)).toBe(
      'pw *** header ***, alone ***',
    );
    expect(redactSecrets('Authorization: Bearer tok123; tok123', { token: 'tok123' })).toBe('Authorization: ***; ***');
  });
});

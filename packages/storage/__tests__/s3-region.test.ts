/**
 * The S3 client's region: a workflow passes `${{ vars.AWS_REGION }}`, which is "" in a repository
 * without that variable; an empty value must fall through to the next source, not reach the SDK.
 */
import { S3Store, resolveS3Region } from '../src';

describe('resolveS3Region', () => {
  it('takes the option, then AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1', () => {
    expect(resolveS3Region('eu-west-1', { AWS_REGION: 'us-west-2' })).toBe('eu-west-1');
    expect(resolveS3Region(undefined, { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'eu-north-1' })).toBe('us-west-2');
    expect(resolveS3Region(undefined, { AWS_DEFAULT_REGION: 'eu-north-1' })).toBe('eu-north-1');
    expect(resolveS3Region(undefined, {})).toBe('us-east-1');
  });

  it('treats empty and blank values as unset', () => {
    expect(resolveS3Region('', { AWS_REGION: '', AWS_DEFAULT_REGION: ' ' })).toBe('us-east-1');
    expect(resolveS3Region('  ', { AWS_REGION: '', AWS_DEFAULT_REGION: 'ap-south-1' })).toBe('ap-south-1');
    expect(resolveS3Region(' eu-west-3 ', {})).toBe('eu-west-3');
  });

  it('is the region the store signs for, with AWS_REGION="" in the environment', async () => {
    const saved = process.env.AWS_REGION;
    process.env.AWS_REGION = '';
    try {
      const store = new S3Store({ bucket: 'b', prefix: '' });
      const client = (store as unknown as { client: { config: { region: () => Promise<string> } } }).client;
      expect(await client.config.region()).toBe(resolveS3Region(undefined));
      store.close();
    } finally {
      if (saved === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = saved;
    }
  });
});

/**
 * A real S3-protocol server for tests: s3rver on 127.0.0.1, a free port, its files in a temp
 * folder removed on stop(). Credentials are s3rver's fixed pair; signatures are checked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface S3rverInstance {
  run(): Promise<{ port: number } & AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: Array<{ name: string }>;
}) => S3rverInstance;

export interface RunningS3rver {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  /** Buckets created at start. */
  buckets: string[];
  /** Where s3rver keeps the objects (to damage one on purpose). */
  directory: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export async function startS3rver(options: { buckets?: string[] } = {}): Promise<RunningS3rver> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require('s3rver') as S3rverConstructor;
  const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  const buckets = options.buckets ?? ['wms-data'];
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    buckets,
    directory,
    credentials: S3RVER_CREDENTIALS,
    stop: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { UserError, type Logger } from '@wms/core';
import { listFilesRecursive, safeJoin } from '../local/local-paths';
import type { ArtifactStore } from './artifact-store';

export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new UserError(`Invalid S3 artifact URI ${JSON.stringify(uri)}: expected s3://bucket/prefix.`);
  return { bucket: match[1]!, prefix: match[2]!.replace(/\/+$/, '') };
}

export interface S3ArtifactStoreOptions {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Injected by tests (s3rver); built from the environment otherwise. */
  client?: S3Client;
}

/**
 * S3 artifact roots (`--default-artifact-root s3://…` without the proxy): the client talks to
 * the bucket directly, with MLflow's MLFLOW_S3_ENDPOINT_URL for MinIO-style endpoints and the
 * standard AWS credential chain.
 */
export function createS3ArtifactStore(options: S3ArtifactStoreOptions): ArtifactStore {
  const endpoint = options.env.MLFLOW_S3_ENDPOINT_URL || undefined;
  const client =
    options.client ??
    new S3Client({
      endpoint,
      forcePathStyle: endpoint !== undefined,
      region: options.env.AWS_REGION || options.env.AWS_DEFAULT_REGION || 'us-east-1',
      // Keys in the given environment win; otherwise the SDK's chain (profiles, OIDC role, IMDS).
      credentials: options.env.AWS_ACCESS_KEY_ID
        ? {
            accessKeyId: options.env.AWS_ACCESS_KEY_ID,
            secretAccessKey: options.env.AWS_SECRET_ACCESS_KEY ?? '',
            sessionToken: options.env.AWS_SESSION_TOKEN || undefined,
          }
        : undefined,
    });

  const keyOf = (prefix: string, file: string): string => (prefix ? `${prefix}/${file}` : file);

  return {
    async upload(localDir, uri) {
      const { bucket, prefix } = parseS3Uri(uri);
      const files = await listFilesRecursive(localDir);
      for (const file of files) {
        const body = await fsp.readFile(join(localDir, file));
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: keyOf(prefix, file), Body: body }));
      }
      options.logger.debug(`uploaded ${files.length} artifact files to ${uri}`);
      return files.length;
    },
    async download(uri, destDir) {
      const { bucket, prefix } = parseS3Uri(uri);
      const listPrefix = prefix ? `${prefix}/` : '';
      let token: string | undefined;
      let count = 0;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: listPrefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) {
          if (!object.Key || object.Key.endsWith('/')) continue;
          const rel = object.Key.slice(listPrefix.length);
          const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
          const bytes = await got.Body?.transformToByteArray();
          const target = safeJoin(destDir, rel);
          await fsp.mkdir(dirname(target), { recursive: true });
          await fsp.writeFile(target, bytes ?? new Uint8Array());
          count++;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return count;
    },
  };
}

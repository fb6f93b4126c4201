/**
 * S3 (or any S3-compatible service) as the data remote: HEAD to ask, PUT for small objects,
 * multipart (lib-storage) for large ones, every call retried with backoff on throttling, 5xx and
 * network errors. Keys sit under the remote's prefix exactly as DVC's S3 remote lays them out.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import type { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { retry, type RetryOptions } from '@wms/core';
import type { ObjectStore, StoredObject } from './object-store';

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix without leading or trailing '/'; '' for the bucket root. */
  prefix: string;
  /** Custom endpoint (MinIO, s3rver, …); path-style addressing is used with it. */
  endpoint?: string;
  region?: string;
  credentials?: S3ClientConfig['credentials'];
  /** Files at least this large go up in parts of this size (default 16 MiB). */
  multipartThreshold?: number;
  retry?: Partial<Pick<RetryOptions, 'attempts' | 'baseMs' | 'sleep'>>;
}

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND']);

const NETWORK_MESSAGE = /socket hang up|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|network|timed? ?out/i;

export function isRetryableS3Error(error: unknown): boolean {
  const e = error as {
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
    code?: string;
    name?: string;
    message?: string;
    cause?: unknown;
  };
  if (!e || typeof e !== 'object') return false;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) return status === 429 || status >= 500 || e.$retryable !== undefined;
  if (RETRYABLE_CODES.has(String(e.code)) || e.name === 'TimeoutError') return true;
  // The SDK wraps errors from another realm ("AWS SDK error wrapper for …"), dropping `code`.
  if (e.$metadata !== undefined && NETWORK_MESSAGE.test(String(e.message))) return true;
  return e.cause !== undefined && e.cause !== error && isRetryableS3Error(e.cause);
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

/**
 * The region the client signs for: the option, else AWS_REGION, else AWS_DEFAULT_REGION, else
 * us-east-1. An empty or blank value counts as unset: a workflow's `${{ vars.AWS_REGION }}` of a
 * repository without that variable is "", which the SDK would otherwise reject mid-push.
 */
export function resolveS3Region(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  for (const value of [option, env.AWS_REGION, env.AWS_DEFAULT_REGION]) {
    if (value !== undefined && value.trim() !== '') return value.trim();
  }
  return 'us-east-1';
}

export class S3Store implements ObjectStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly threshold: number;

  constructor(private readonly options: S3StoreOptions) {
    this.location = `s3://${options.bucket}${options.prefix ? `/${options.prefix}` : ''}`;
    this.threshold = options.multipartThreshold ?? 16 * 1024 * 1024;
    this.client = new S3Client({
      region: resolveS3Region(options.region),
      ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Our own retry() re-opens file streams; the SDK's would resend a consumed stream.
      maxAttempts: 1,
      // S3-compatible servers (MinIO, s3rver, Ceph) often reject the SDK's default trailing checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private key(key: string): string {
    return this.options.prefix ? `${this.options.prefix}/${key}` : key;
  }

  private call<T>(label: string, fn: () => Promise<T>): Promise<T> {
    return retry(fn, {
      attempts: this.options.retry?.attempts ?? 5,
      baseMs: this.options.retry?.baseMs ?? 200,
      sleep: this.options.retry?.sleep,
      isRetryable: isRetryableS3Error,
      label: `${label} ${this.location}`,
    });
  }

  async has(key: string): Promise<boolean> {
    return (await this.sizeOf(key)) !== undefined;
  }

  async sizeOf(key: string): Promise<number | undefined> {
    try {
      const head = await this.call(`HEAD ${key}`, () =>
        this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) })),
      );
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async putFile(key: string, path: string, size: number): Promise<void> {
    if (size < this.threshold) {
      const body = await fsp.readFile(path);
      await this.putBytes(key, body);
      return;
    }
    await this.call(`multipart upload ${key}`, async () => {
      const upload = new Upload({
        client: this.client,
        params: { Bucket: this.options.bucket, Key: this.key(key), Body: createReadStream(path) },
        partSize: this.threshold,
        queueSize: 4,
        // An aborted upload must not leave billed, invisible parts behind.
        leavePartsOnError: false,
      });
      await upload.done();
    });
  }

  async putBytes(key: string, data: Uint8Array): Promise<void> {
    await this.call(`PUT ${key}`, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: this.key(key),
          Body: data,
          ContentLength: data.length,
        }),
      ),
    );
  }

  async getStream(key: string): Promise<Readable | undefined> {
    try {
      const response = await this.call(`GET ${key}`, () =>
        this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) })),
      );
      return response.Body as Readable;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async getBytes(key: string): Promise<Buffer | undefined> {
    const stream = await this.getStream(key);
    if (!stream) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /**
   * ListObjects (v1) paged by Marker = last key: AWS serves it, and S3-compatible servers whose v2
   * continuation tokens break (s3rver encrypts them with DES, which OpenSSL 3 refuses) page correctly.
   */
  async *list(prefix: string): AsyncIterable<StoredObject> {
    let marker: string | undefined;
    const strip = this.options.prefix ? this.options.prefix.length + 1 : 0;
    for (;;) {
      const page = await this.call(`LIST ${prefix}`, () =>
        this.client.send(
          new ListObjectsCommand({ Bucket: this.options.bucket, Prefix: this.key(prefix), Marker: marker }),
        ),
      );
      const contents = page.Contents ?? [];
      for (const item of contents) {
        if (item.Key) yield { key: item.Key.slice(strip), size: item.Size ?? 0 };
      }
      const last = contents.at(-1)?.Key;
      if (!page.IsTruncated || !last) return;
      marker = page.NextMarker ?? last;
    }
  }

  close(): void {
    this.client.destroy();
  }
}

/**
 * Where data objects live. Every write is all-or-nothing: an object is either absent or whole
 * under its final key (S3 PUT / completed multipart upload; temp file + rename on disk), so a push
 * killed mid-upload leaves nothing that a later `has()` mistakes for a finished object.
 */
import type { Readable } from 'node:stream';

export interface StoredObject {
  key: string;
  size: number;
}

export interface ObjectStore {
  /** Shown to people: "s3://bucket/prefix" or the folder. */
  readonly location: string;
  has(key: string): Promise<boolean>;
  /** The object's size in bytes, or undefined when it does not exist. */
  sizeOf(key: string): Promise<number | undefined>;
  putFile(key: string, path: string, size: number): Promise<void>;
  putBytes(key: string, data: Uint8Array): Promise<void>;
  /** The object's bytes, or undefined when it does not exist. */
  getBytes(key: string): Promise<Buffer | undefined>;
  /** A stream of the object's bytes, or undefined when it does not exist. */
  getStream(key: string): Promise<Readable | undefined>;
  list(prefix: string): AsyncIterable<StoredObject>;
  /** Releases sockets; the store is unusable afterwards. */
  close(): void;
}

/** Bytes moved through a store, for progress lines and the benchmark. */
export interface TransferCounters {
  uploadedBytes: number;
  downloadedBytes: number;
  requests: number;
}

/** Wraps a store to count requests and bytes. */
export function countingStore(store: ObjectStore, counters: TransferCounters): ObjectStore {
  return {
    location: store.location,
    has: (key) => {
      counters.requests++;
      return store.has(key);
    },
    sizeOf: (key) => {
      counters.requests++;
      return store.sizeOf(key);
    },
    putFile: (key, path, size) => {
      counters.requests++;
      counters.uploadedBytes += size;
      return store.putFile(key, path, size);
    },
    putBytes: (key, data) => {
      counters.requests++;
      counters.uploadedBytes += data.length;
      return store.putBytes(key, data);
    },
    getBytes: async (key) => {
      counters.requests++;
      const data = await store.getBytes(key);
      counters.downloadedBytes += data?.length ?? 0;
      return data;
    },
    getStream: async (key) => {
      counters.requests++;
      const stream = await store.getStream(key);
      stream?.on('data', (chunk: Buffer) => {
        counters.downloadedBytes += chunk.length;
      });
      return stream;
    },
    list: (prefix) => {
      counters.requests++;
      return store.list(prefix);
    },
    close: () => store.close(),
  };
}

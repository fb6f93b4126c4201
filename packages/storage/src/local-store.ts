/** The embedded default store: a folder with the same layout as the S3 remote (DVC's local remote). */
import { createReadStream, promises as fsp } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type { ObjectStore, StoredObject } from './object-store';

export class LocalDirectoryStore implements ObjectStore {
  readonly location: string;

  constructor(private readonly root: string) {
    this.location = root;
  }

  private pathOf(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  private ignored = false;

  /** The embedded store usually sits inside the repository: keep git from ever listing it. */
  private async ensureIgnored(): Promise<void> {
    if (this.ignored) return;
    await fsp.mkdir(this.root, { recursive: true });
    await fsp.writeFile(join(this.root, '.gitignore'), '*\n', { flag: 'wx' }).catch(() => undefined);
    this.ignored = true;
  }

  async has(key: string): Promise<boolean> {
    return (await this.sizeOf(key)) !== undefined;
  }

  async sizeOf(key: string): Promise<number | undefined> {
    return fsp.stat(this.pathOf(key)).then(
      (s) => (s.isFile() ? s.size : undefined),
      () => undefined,
    );
  }

  private async writeAtomically(key: string, write: (tmp: string) => Promise<void>): Promise<void> {
    await this.ensureIgnored();
    const target = this.pathOf(key);
    await fsp.mkdir(dirname(target), { recursive: true });
    const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await write(tmp);
      const handle = await fsp.open(tmp, 'r+');
      await handle.sync();
      await handle.close();
      await fsp.rename(tmp, target);
    } catch (error) {
      await fsp.rm(tmp, { force: true });
      throw error;
    }
  }

  putFile(key: string, path: string): Promise<void> {
    return this.writeAtomically(key, (tmp) => fsp.copyFile(path, tmp));
  }

  putBytes(key: string, data: Uint8Array): Promise<void> {
    return this.writeAtomically(key, (tmp) => fsp.writeFile(tmp, data));
  }

  async getBytes(key: string): Promise<Buffer | undefined> {
    try {
      return await fsp.readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async getStream(key: string): Promise<Readable | undefined> {
    if (!(await this.has(key))) return undefined;
    return createReadStream(this.pathOf(key));
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    const start = this.pathOf(prefix.replace(/\/+$/, ''));
    const walk = async function* (dir: string, root: string): AsyncIterable<StoredObject> {
      let entries;
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) yield* walk(path, root);
        else if (entry.isFile() && !entry.name.endsWith('.tmp')) {
          yield { key: relative(root, path).split(sep).join('/'), size: (await fsp.stat(path)).size };
        }
      }
    };
    yield* walk(start, this.root);
  }

  close(): void {
    /* nothing open between calls */
  }
}

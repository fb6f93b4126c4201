import { promises as fsp } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { defaultSleep } from '@wms/core';

export interface FileLockOptions {
  /** Give up after this long, saying who holds the lock. */
  timeoutMs?: number;
  /** A lock older than this is considered abandoned even if its owner looks alive. */
  staleMs?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface LockOwner {
  pid: number;
  host: string;
  token: string;
  at: number;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(lockPath: string): Promise<LockOwner | null> {
  try {
    return JSON.parse(await fsp.readFile(lockPath, 'utf8')) as LockOwner;
  } catch {
    return null;
  }
}

function isStale(owner: LockOwner | null, mtimeMs: number, staleMs: number): boolean {
  if (Date.now() - (owner?.at ?? mtimeMs) > staleMs) return true;
  // A crashed writer on this machine leaves its pid behind; a dead pid means nobody holds it.
  return owner !== null && owner.host === hostname() && !isProcessAlive(owner.pid);
}

/**
 * Steals an abandoned lock without ever removing a live one: the stale file is renamed away
 * (atomic, so only one stealer gets it), and if what we took is not the file we judged stale
 * (someone re-locked in between), it is put back with link(), which fails rather than overwrite.
 */
async function stealStaleLock(lockPath: string, judged: LockOwner | null): Promise<void> {
  const aside = `${lockPath}.stale.${randomBytes(6).toString('hex')}`;
  try {
    await fsp.rename(lockPath, aside);
  } catch {
    return;
  }
  const taken = await readOwner(aside);
  if (judged !== null && taken?.token !== judged.token) {
    await fsp.link(aside, lockPath).catch(() => undefined);
  }
  await fsp.rm(aside, { force: true });
}

/**
 * Runs `fn` while holding an exclusive lock file created with O_EXCL, so two processes sharing
 * a store (two CLI runs, a test killing a child) never interleave their read-modify-write.
 */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const staleMs = options.staleMs ?? 120_000;
  const pollMs = options.pollMs ?? 25;
  const sleep = options.sleep ?? defaultSleep;
  const owner: LockOwner = { pid: process.pid, host: hostname(), token: randomBytes(8).toString('hex'), at: 0 };
  const started = Date.now();
  for (;;) {
    owner.at = Date.now();
    try {
      const handle = await fsp.open(lockPath, 'wx');
      try {
        await handle.writeFile(JSON.stringify(owner));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readOwner(lockPath);
    const stat = await fsp.stat(lockPath).catch(() => null);
    if (stat && holder !== null && isStale(holder, stat.mtimeMs, staleMs)) {
      await stealStaleLock(lockPath, holder);
      continue;
    }
    if (stat && holder === null && Date.now() - stat.mtimeMs > Math.min(staleMs, 5_000)) {
      // An empty lock file: its writer died between open and write.
      await stealStaleLock(lockPath, null);
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      const who = holder ? `process ${holder.pid} on ${holder.host}` : 'an unknown process';
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for the lock ${lockPath}, held by ${who}. ` +
          'If no other wms process is running, delete that file.',
      );
    }
    await sleep(pollMs);
  }
  try {
    return await fn();
  } finally {
    const current = await readOwner(lockPath);
    if (current?.token === owner.token) await fsp.rm(lockPath, { force: true });
  }
}

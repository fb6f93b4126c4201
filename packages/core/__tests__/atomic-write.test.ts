import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../src';

describe('writeFileAtomic', () => {
  it('replaces content and leaves no temp files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wms-atomic-'));
    const file = join(dir, 'sub', 'a.json');
    await writeJsonAtomic(file, { v: 1 });
    await writeJsonAtomic(file, { v: 2 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ v: 2 });
    expect(readdirSync(join(dir, 'sub'))).toEqual(['a.json']);
  });

  it('keeps the old content when the new one cannot be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wms-atomic-'));
    const file = join(dir, 'a.txt');
    writeFileSync(file, 'old');
    const badData = { toString: () => 'x' } as unknown as Uint8Array; // not writable by writeFile
    await expect(writeFileAtomic(file, badData)).rejects.toThrow();
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['a.txt']);
  });
});

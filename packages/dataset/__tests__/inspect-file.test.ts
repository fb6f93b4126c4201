/** The shortcuts for plain JPEG images and grey PNG masks must report what the general path reports. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { inspectImage, inspectMask } from '../src/inspect-file';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'inspect-file-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function noise(width: number, height: number, channels: number): Buffer {
  const data = Buffer.alloc(width * height * channels);
  let seed = 11;
  for (let i = 0; i < data.length; i++) data[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  return data;
}

const save = (name: string, bytes: Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

describe('inspectImage', () => {
  it('gives the size, orientation and hash of a plain JPEG', async () => {
    const bytes = await sharp(noise(64, 48, 3), { raw: { width: 64, height: 48, channels: 3 } })
      .jpeg()
      .toBuffer();
    const result = await inspectImage(save('plain.jpg', bytes), 'plain.jpg', 1e6);
    expect(result).toEqual({
      ok: true,
      facts: {
        format: 'jpeg',
        width: 64,
        height: 48,
        orientation: 1,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      },
    });
  });

  it('reports damaged scan data and oversized images as before', async () => {
    const bytes = await sharp(noise(64, 48, 3), { raw: { width: 64, height: 48, channels: 3 } })
      .jpeg()
      .toBuffer();
    const damaged = Buffer.from(bytes);
    damaged.fill(0xff, damaged.length - 600, damaged.length - 300);
    const result = await inspectImage(save('damaged.jpg', damaged), 'damaged.jpg', 1e6);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem.code).toBe('unreadable-file');
      expect(result.problem.message).toContain('damaged or truncated');
    }
    const big = await inspectImage(save('big.jpg', bytes), 'big.jpg', 64 * 48 - 1);
    expect(!big.ok && big.problem.code).toBe('too-many-pixels');
  });
});

describe('inspectMask', () => {
  it('gives a plain grey PNG the same facts as the general path', async () => {
    const data = Buffer.alloc(40 * 30);
    data.fill(255, 0, 600);
    const grey = sharp(data, { raw: { width: 40, height: 30, channels: 1 } }).toColourspace('b-w');
    const plain = await grey.clone().png().toBuffer();
    // A tEXt chunk after IHDR makes the file not "plain", so it takes the general path.
    const text = Buffer.from('tEXtComment\0general path', 'latin1');
    const chunk = Buffer.alloc(text.length + 8);
    chunk.writeUInt32BE(text.length - 4, 0);
    text.copy(chunk, 4);
    chunk.writeUInt32BE(crc32(text), text.length + 4);
    const withText = Buffer.concat([plain.subarray(0, 33), chunk, plain.subarray(33)]);
    const fast = await inspectMask(save('plain.png', plain), 'plain.png', 1e6, () => 0);
    const general = await inspectMask(save('text.png', withText), 'text.png', 1e6, () => 0);
    expect(fast.ok && general.ok).toBe(true);
    if (fast.ok && general.ok) {
      const { sha256: _fastHash, ...fastFacts } = fast.facts;
      const { sha256: _generalHash, ...generalFacts } = general.facts;
      expect(fastFacts).toEqual(generalFacts);
      expect(fast.facts.counts.histogram[255]).toBe(600);
    }
    const big = await inspectMask(save('big.png', plain), 'big.png', 40 * 30 - 1, () => 0);
    expect(!big.ok && big.problem.code).toBe('too-many-pixels');
  });
});

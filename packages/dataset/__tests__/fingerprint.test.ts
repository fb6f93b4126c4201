import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintPairs, type Pair } from '../src';

describe('fingerprintPairs', () => {
  let dir: string;
  let pairs: Pair[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wms-fp-'));
    pairs = ['a', 'b'].map((id) => {
      writeFileSync(join(dir, `${id}.jpg`), `image ${id}`);
      writeFileSync(join(dir, `${id}.png`), `mask ${id}`);
      return { id, image: join(dir, `${id}.jpg`), mask: join(dir, `${id}.png`) };
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is a sha256 that ignores order but not content or ids', async () => {
    const base = await fingerprintPairs(pairs);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(await fingerprintPairs([...pairs].reverse())).toBe(base);
    expect(await fingerprintPairs([{ ...pairs[0]!, id: 'renamed' }, pairs[1]!])).not.toBe(base);
    writeFileSync(pairs[1]!.mask, 'mask b, one pixel edited');
    expect(await fingerprintPairs(pairs)).not.toBe(base);
  });
});

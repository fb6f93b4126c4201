/**
 * The harness's own reading of the runner's channels (fast; no bundle is run here): outputs in
 * GITHUB_OUTPUT as written by @actions/core, and workflow-command annotations with escaping.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNodeModulesAbove } from '../../../scripts/lib/node-binaries';
import { parseAnnotations, parseOutputFile } from '../../../scripts/lib/runner-files';
import { inputEnvName } from '@wms/test-support';

describe('e2e harness', () => {
  it('mangles input names like the runner', () => {
    expect(inputEnvName('dataset-dir')).toBe('INPUT_DATASET-DIR');
    expect(inputEnvName('image size')).toBe('INPUT_IMAGE_SIZE');
  });

  it('reads heredoc and key=value outputs, later writes winning', () => {
    const file = [
      'verdict<<ghadelimiter_1',
      'line one',
      'line two',
      'ghadelimiter_1',
      'count=3',
      'count<<ghadelimiter_2',
      '4',
      'ghadelimiter_2',
      '',
    ].join('\n');
    expect(parseOutputFile(file)).toEqual({ verdict: 'line one\nline two', count: '4' });
  });

  it('rejects an output heredoc that is never closed', () => {
    expect(() => parseOutputFile('x<<EOF\nvalue\n')).toThrow(/'x' has no closing delimiter EOF/);
  });

  it('parses annotations and undoes the runner escaping', () => {
    const stdout = [
      'plain log line',
      '::error file=images/a%2Cb.jpg,line=12,title=Mask%3A size::mask 3%25 off%0Asecond line',
      '::warning::no file here',
      '::debug::not an annotation',
    ].join('\n');
    expect(parseAnnotations(stdout)).toEqual([
      { level: 'error', file: 'images/a,b.jpg', line: 12, title: 'Mask: size', message: 'mask 3% off\nsecond line' },
      { level: 'warning', message: 'no file here' },
    ]);
  });

  it('runs bundles where no node_modules is above them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wms-harness-'));
    try {
      expect(findNodeModulesAbove(dir)).toBeNull();
      expect(findNodeModulesAbove(__dirname)).toBe(join(__dirname, '..', 'node_modules'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

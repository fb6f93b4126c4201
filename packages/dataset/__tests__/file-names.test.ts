/**
 * File names are data: a name with a newline or another control character is refused with its
 * own code (it would break the markdown report, the log lines and the annotations), and every
 * name that is allowed — markdown and HTML characters included — prints safely everywhere.
 */
import { copyFileSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryLogger } from '@wms/core';
import { generateSynthDataset, renderQaMarkdown, validateDataset, type QaReport } from '../src';

jest.setTimeout(60_000);

// What must never be printed raw (the same set data-qa refuses in names).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex -- as above, but a markdown file has its own newlines
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const NEWLINE_ID = 'bad\nname';
const ESCAPE_ID = 'bell\u0007and\u001b[31mred';
const BIDI_ID = 'invoice\u202Egnp';
const TRICKY_ID = 'a|b*c_d`e<b>[x](y)#&';

describe('file names in the data-qa report, log and annotations', () => {
  let root: string;
  let report: QaReport;
  let markdown: string;
  const logger = createMemoryLogger();

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'wms-qa-names-'));
    const { pairs } = await generateSynthDataset({ outDir: root, count: 5, width: 96, height: 64, seed: 4 });
    const rename = (pair: (typeof pairs)[number], id: string) => {
      renameSync(pair.image, join(root, 'images', `${id}.jpg`));
      renameSync(pair.mask, join(root, 'masks', `${id}.png`));
    };
    rename(pairs[0]!, NEWLINE_ID);
    rename(pairs[1]!, ESCAPE_ID);
    rename(pairs[2]!, BIDI_ID);
    rename(pairs[3]!, TRICKY_ID);
    // An image alone with a control character: refused, not reported as an image without a mask.
    copyFileSync(pairs[4]!.image, join(root, 'images', 'tab\there.jpg'));
    report = await validateDataset({ root, imagesDir: 'images', masksDir: 'masks' }, { logger });
    markdown = renderQaMarkdown(report);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('refuses names with control characters with their own code, naming them escaped', () => {
    const unsafe = report.problems.filter((p) => p.code === 'unsafe-file-name');
    expect(unsafe.every((p) => p.severity === 'error')).toBe(true);
    const files = unsafe.flatMap((p) => p.files).sort();
    expect(files).toEqual(
      [
        `images/${NEWLINE_ID}.jpg`,
        `masks/${NEWLINE_ID}.png`,
        `images/${ESCAPE_ID}.jpg`,
        `masks/${ESCAPE_ID}.png`,
        `images/${BIDI_ID}.jpg`,
        `masks/${BIDI_ID}.png`,
        'images/tab\there.jpg',
      ].sort(),
    );
    const newline = unsafe.find((p) => p.files[0] === `images/${NEWLINE_ID}.jpg`)!;
    expect(newline.message).toContain('images/bad\\nname.jpg');
    expect(newline.message).not.toMatch(CONTROL);
    // Refused names take part in nothing else: no missing-mask or other problem for them.
    expect(report.problems.filter((p) => p.code !== 'unsafe-file-name')).toEqual([]);
    expect(report.valid).toBe(false);
  });

  it('keeps a name with markdown and HTML characters usable', () => {
    expect(report.counts.validPairs).toBe(2);
  });

  it('prints no control character and no raw markup from a file name into the markdown report', () => {
    expect(markdown).not.toMatch(CONTROL_BUT_NEWLINE);
    for (const line of markdown.split('\n')) expect(line).not.toMatch(/^red|^name\.(jpg|png)/);
    expect(markdown).not.toContain('<b>');
  });

  it('logs one line per refused file, with the annotation path escaped too', () => {
    const errors = logger.records.filter((r) => r.level === 'error');
    expect(errors).toHaveLength(7);
    for (const r of errors) {
      expect(r.message).not.toMatch(CONTROL);
      expect(r.location?.file ?? '').not.toMatch(CONTROL);
    }
    // data-qa only reads: every file is still there.
    expect(readdirSync(join(root, 'images'))).toHaveLength(6);
  });
});

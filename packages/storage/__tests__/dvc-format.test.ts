/**
 * Byte-for-byte compatibility with DVC 3. The first fixtures are copied from iterative/dvc-data's
 * own tests (tests/hashfile/test_build.py, tests/index/conftest.py, tests/hashfile/test_tree.py);
 * the escaping fixture is the output of the expression dvc-data uses (Tree.as_bytes:
 * json.dumps(sorted(entries, key=relpath), sort_keys=True).encode()) run under CPython 3.
 */
import { createHash } from 'node:crypto';
import {
  compareCodePoints,
  dirObjectId,
  objectKey,
  parseDirObject,
  parsePointer,
  renderPointer,
  serializeDirObject,
  sortEntries,
} from '@wms/storage';

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

describe('DVC .dir objects', () => {
  it('hashes a folder {foo: "foo", bar: "bar"} to dvc-data test_build_directory\'s 5ea40360….dir', () => {
    const entries = [
      { relpath: 'foo', md5: md5('foo') },
      { relpath: 'bar', md5: md5('bar') },
    ];
    expect(entries.map((e) => e.md5)).toEqual(['acbd18db4cc2f85cedef654fccc4a4d8', '37b51d194a7513e45b56f6524f2d51f2']);
    expect(dirObjectId(serializeDirObject(entries))).toBe('5ea40360f5b4ec688df672a4db9c17d1.dir');
  });

  it("writes exactly the bytes of dvc-data conftest's 1f69c660….dir object", () => {
    const expected =
      '[{"md5": "c157a79031e1c40f85931829bc5fc552", "relpath": "bar"}, ' +
      '{"md5": "258622b1688250cb619f3c9ccaefb7eb", "relpath": "baz"}]';
    const bytes = serializeDirObject([
      { relpath: 'baz', md5: md5('baz\n') },
      { relpath: 'bar', md5: md5('bar\n') },
    ]);
    expect(bytes.toString('utf8')).toBe(expected);
    expect(dirObjectId(bytes)).toBe('1f69c66028c35037e8bf67e5bc4ceb6a.dir');
  });

  it('sorts nested relpaths like test_tree.py test_list', () => {
    const relpaths = ['dir/b', 'dir/z', 'dir/a', 'b', 'a', 'z', 'dir/subdir/b', 'dir/subdir/z', 'dir/subdir/a'];
    const sorted = sortEntries(relpaths.map((relpath) => ({ relpath, md5: md5(relpath) }))).map((e) => e.relpath);
    expect(sorted).toEqual(['a', 'b', 'dir/a', 'dir/b', 'dir/subdir/a', 'dir/subdir/b', 'dir/subdir/z', 'dir/z', 'z']);
  });

  it('escapes non-ASCII, quotes, control characters and DEL, and orders by code point, as CPython does', () => {
    const names = [
      'b.png',
      'a/été.png',
      '\u{1F600}.png',
      '\uFFFD.png',
      '水.png',
      'q"uote\\.png',
      'tab\there\x7f.png',
      'A.png',
    ];
    const bytes = serializeDirObject(names.map((relpath) => ({ relpath, md5: md5(relpath) })));
    expect(bytes.toString('latin1')).toBe(
      '[{"md5": "701ccaf6ec1641a9ff778fd0b862e5a2", "relpath": "A.png"}, ' +
        '{"md5": "b21795523adfdd87910dc97168f6704b", "relpath": "a/\\u00e9t\\u00e9.png"}, ' +
        '{"md5": "0a7b8575f81e6d28645879810e6f43a9", "relpath": "b.png"}, ' +
        '{"md5": "3365a3e671f7b8819bab75290a1aa48f", "relpath": "q\\"uote\\\\.png"}, ' +
        '{"md5": "5296b754c5c5be37a7de81ea78cbeada", "relpath": "tab\\there\\u007f.png"}, ' +
        '{"md5": "a98dcae57f2539abe212b1134be2f9d2", "relpath": "\\u6c34.png"}, ' +
        '{"md5": "160d619b3e6082d6e9002b1c37b5247a", "relpath": "\\ufffd.png"}, ' +
        '{"md5": "6b73ec1a29111d4d108fa88c9241d090", "relpath": "\\ud83d\\ude00.png"}]',
    );
    expect(dirObjectId(bytes)).toBe('1640b784ffb426b70fcf5078236f8f00.dir');
    // JS's default sort compares UTF-16 units and would put the emoji before U+FFFD.
    expect(compareCodePoints('\u{1F600}', '\uFFFD')).toBeGreaterThan(0);
    expect(parseDirObject(bytes, 'fixture').map((e) => e.relpath)).toContain('\u{1F600}.png');
  });

  it('serialises an empty folder as []', () => {
    expect(serializeDirObject([]).toString()).toBe('[]');
  });

  it('refuses a .dir object that repeats a relpath or lacks an md5', () => {
    expect(() => parseDirObject(Buffer.from('[{"md5": "x", "relpath": "a"}]'), 'obj')).toThrow(
      /Entry 0 of the directory object obj/,
    );
    const twice = `[{"md5": "${md5('a')}", "relpath": "a"}, {"md5": "${md5('a')}", "relpath": "a"}]`;
    expect(() => parseDirObject(Buffer.from(twice), 'obj')).toThrow(/lists "a" twice/);
    expect(() => parseDirObject(Buffer.from('{"a": 1}'), 'obj')).toThrow(/not a JSON list/);
  });
});

describe('DVC 3 layout and pointer files', () => {
  it('puts objects under files/md5/<2>/<30>, keeping .dir on directory objects', () => {
    expect(objectKey('acbd18db4cc2f85cedef654fccc4a4d8')).toBe('files/md5/ac/bd18db4cc2f85cedef654fccc4a4d8');
    expect(objectKey('5ea40360f5b4ec688df672a4db9c17d1.dir')).toBe('files/md5/5e/a40360f5b4ec688df672a4db9c17d1.dir');
    expect(() => objectKey('../etc/passwd')).toThrow(RangeError);
  });

  it('renders the pointer `dvc add` writes and reads it back', () => {
    const text = renderPointer({ oid: '5ea40360f5b4ec688df672a4db9c17d1.dir', size: 6, nfiles: 2, path: 'images' });
    expect(text).toBe(
      'outs:\n- md5: 5ea40360f5b4ec688df672a4db9c17d1.dir\n  size: 6\n  nfiles: 2\n  hash: md5\n  path: images\n',
    );
    expect(parsePointer(text, 'images.dvc')).toEqual({
      oid: '5ea40360f5b4ec688df672a4db9c17d1.dir',
      size: 6,
      nfiles: 2,
      path: 'images',
    });
  });

  it('refuses DVC 2 pointers (md5-dos2unix) and file pointers, naming the file', () => {
    expect(() =>
      parsePointer('outs:\n- md5: 5ea40360f5b4ec688df672a4db9c17d1.dir\n  path: images\n', 'images.dvc'),
    ).toThrow(/images.dvc: outs\[0\] has no "hash: md5"; it was written by DVC 2/);
    expect(() =>
      parsePointer('outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  hash: md5\n  path: a\n', 'a.dvc'),
    ).toThrow(/expected "<32 hex digits>.dir"/);
  });
});

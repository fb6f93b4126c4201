/**
 * DVC 3's directory object (`<md5>.dir`), byte for byte as dvc-data writes it
 * (dvc_data/hashfile/tree.py, Tree.as_bytes):
 *
 *   json.dumps(sorted(entries, key=relpath), sort_keys=True).encode("utf-8")
 *
 * i.e. entries `{"md5": …, "relpath": …}` sorted by relpath in code-point order, Python's default
 * separators (", " and ": "), non-ASCII escaped as \uXXXX (lowercase hex, surrogate pairs). The
 * object's name is the MD5 of those bytes plus ".dir" (Tree.digest).
 */
import { createHash } from 'node:crypto';
import { UserError } from '@wms/core';

export interface DirEntry {
  /** Path inside the tracked folder, '/'-separated. */
  relpath: string;
  md5: string;
}

export const DIR_SUFFIX = '.dir';
const MD5_PATTERN = /^[0-9a-f]{32}$/;

export function isMd5(value: string): boolean {
  return MD5_PATTERN.test(value);
}

/** Python's str ordering (code points). JS `<` compares UTF-16 units, which differs past U+FFFF. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Surrogates (U+D800–DFFF, i.e. code points above U+FFFF) sort after U+E000–FFFF. */
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** Python's json.dumps(str) with ensure_ascii=True: everything outside ' '..'~' is escaped. */
export function pythonJsonString(value: string): string {
  const escaped = value.replace(/["\\]|[^\x20-\x7e]/g, (ch) => {
    const short = SHORT_ESCAPES[ch];
    if (short) return short;
    return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `"${escaped}"`;
}

export function sortEntries(entries: Iterable<DirEntry>): DirEntry[] {
  return [...entries].sort((a, b) => compareCodePoints(a.relpath, b.relpath));
}

/** The exact bytes DVC stores for a directory listing. */
export function serializeDirObject(entries: Iterable<DirEntry>): Buffer {
  const items = sortEntries(entries).map(
    (e) =>
      `{${pythonJsonString('md5')}: ${pythonJsonString(e.md5)}, ${pythonJsonString('relpath')}: ${pythonJsonString(e.relpath)}}`,
  );
  return Buffer.from(`[${items.join(', ')}]`, 'utf8');
}

export function md5Hex(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

/** The .dir object's id: MD5 of its bytes + ".dir". */
export function dirObjectId(bytes: Uint8Array): string {
  return `${md5Hex(bytes)}${DIR_SUFFIX}`;
}

/**
 * Reads a .dir object (DVC's or ours), checking that every entry has a relpath and an md5 and
 * that no relpath repeats. `source` names the object in errors.
 */
export function parseDirObject(bytes: Uint8Array, source: string): DirEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new UserError(`The directory object ${source} is not valid JSON (${(error as Error).message}).`, {
      hint: 'The remote copy is damaged; push the data again from a machine that has it.',
    });
  }
  if (!Array.isArray(raw)) {
    throw new UserError(`The directory object ${source} is not a JSON list; DVC .dir objects are lists of entries.`);
  }
  const seen = new Set<string>();
  return raw.map((item: unknown, index) => {
    const entry = item as Partial<Record<string, unknown>>;
    const { relpath, md5 } = entry;
    if (typeof relpath !== 'string' || typeof md5 !== 'string' || !isMd5(md5)) {
      throw new UserError(
        `Entry ${index} of the directory object ${source} is ${JSON.stringify(item)}; expected {"md5": <32 hex>, "relpath": <path>}.`,
      );
    }
    if (seen.has(relpath)) throw new UserError(`The directory object ${source} lists "${relpath}" twice.`);
    seen.add(relpath);
    return { relpath, md5 };
  });
}

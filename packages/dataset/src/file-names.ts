/**
 * File names are user data. Names with control characters (newlines, escapes, C1 controls, Unicode
 * line separators and bidi overrides) are refused; every other name is printed through these
 * helpers so it cannot break a log line, an annotation or the markdown report.
 */

/** C0/C1 controls, DEL, U+2028/2029 line separators, bidi embeddings/overrides/isolates. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const UNSAFE_CHARACTERS_GLOBAL = new RegExp(UNSAFE_CHARACTERS.source, 'gu');

const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function hasUnsafeCharacters(name: string): boolean {
  return UNSAFE_CHARACTERS.test(name);
}

/** The name with every unsafe character written as an escape (\n, \t, \u001b, \u202e). */
export function printableName(name: string): string {
  return name.replace(
    UNSAFE_CHARACTERS_GLOBAL,
    (c) => NAMED_ESCAPES[c] ?? `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  );
}

/**
 * Text for markdown (job summary, PR comment, qa-report.md): unsafe characters escaped, HTML
 * special characters as entities, and markdown's inline syntax characters backslash-escaped, so a
 * name such as `a|b*c_<b>.png` shows as itself and cannot break a table, a list or the page.
 */
export function mdText(text: string): string {
  return printableName(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#~!])/g, '\\$1');
}

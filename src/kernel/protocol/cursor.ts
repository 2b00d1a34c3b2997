// Cursor positions: the protocol (5.2+) counts Unicode code points; JavaScript strings and the
// TypeScript language service count UTF-16 code units. They differ after any character outside
// the Basic Multilingual Plane (an emoji in a comment shifts every completion after it), so the
// handler converts at the boundary and the evaluator sees string indices only.

/** Number of code points in `text`. */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The UTF-16 index of code point `position` (clamped to the end). */
export function codePointToUtf16(text: string, position: number): number {
  let units = 0;
  let points = 0;
  for (const char of text) {
    if (points >= position) break;
    units += char.length;
    points++;
  }
  return units;
}

/** The code point index of UTF-16 index `index` (a split surrogate pair counts as its start). */
export function utf16ToCodePoint(text: string, index: number): number {
  let units = 0;
  let points = 0;
  for (const char of text) {
    if (units + char.length > index) break;
    units += char.length;
    points++;
  }
  return points;
}

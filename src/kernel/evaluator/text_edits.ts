// Text edits on a cell's source, and the map from the edited text back to the cell.
//
// The cell transform (cell_transform.ts) rewrites a cell by inserting and replacing text at
// positions the TypeScript parser gave it, never by reprinting the AST: everything it does not
// touch stays byte for byte where it was (Note [edits keep lines] in cell_transform.ts). This
// file applies such edits and answers "which cell position does this edited position come
// from?", which is how error positions get back to the cell.

/** Replace `[start, end)` of the original with `text` (`start === end`: an insertion). */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
  /**
   * Order among edits at the same `start` (lower first). Wrapping one expression in two calls
   * inserts two openings and two closings at the same places: the outer opening must come
   * first and the outer closing last, so openings rank by depth and closings by minus depth.
   */
  rank: number;
}

/** Where a stretch of the edited text starts, and where it comes from in the original. */
interface Anchor {
  edited: number;
  original: number;
  /** Copied text maps position by position; inserted text maps to where it was inserted. */
  copied: boolean;
}

/** The edited text and its way back to the original. */
export class EditedText {
  private constructor(
    readonly text: string,
    private readonly anchors: Anchor[],
  ) {}

  /** Applies `edits` (ranges must not overlap) to `original`. */
  static apply(original: string, edits: TextEdit[]): EditedText {
    const sorted = edits.map((e, i) => ({ e, i })).sort((a, b) => a.e.start - b.e.start || a.e.rank - b.e.rank || a.i - b.i);
    const parts: string[] = [];
    const anchors: Anchor[] = [];
    let length = 0;
    let cursor = 0;
    for (const { e } of sorted) {
      if (e.start < cursor) throw new Error(`cell transform: overlapping edits at ${e.start} (already past ${cursor})`);
      if (e.start > cursor) {
        anchors.push({ edited: length, original: cursor, copied: true });
        parts.push(original.slice(cursor, e.start));
        length += e.start - cursor;
      }
      if (e.text.length > 0) {
        anchors.push({ edited: length, original: e.start, copied: false });
        parts.push(e.text);
        length += e.text.length;
      }
      cursor = e.end;
    }
    anchors.push({ edited: length, original: cursor, copied: true });
    parts.push(original.slice(cursor));
    return new EditedText(parts.join(""), anchors);
  }

  /** The original offset an edited offset comes from (inserted text: where it was inserted). */
  toOriginal(edited: number): number {
    let lo = 0;
    let hi = this.anchors.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.anchors[mid]!.edited <= edited) lo = mid;
      else hi = mid - 1;
    }
    const anchor = this.anchors[lo]!;
    return anchor.copied ? anchor.original + (edited - anchor.edited) : anchor.original;
  }
}

/** The text a removed range leaves behind: its line breaks, so no line moves. */
export function blankedText(removed: string): string {
  return removed.replace(/[^\n]/g, "");
}

/** Offsets where each line starts, for converting offsets to 0-based (line, column). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** 0-based (line, column) → offset, clamped to the text. */
export function offsetAt(starts: readonly number[], line: number, column: number, textLength: number): number {
  const lineStart = starts[Math.min(Math.max(line, 0), starts.length - 1)] ?? 0;
  return Math.min(lineStart + Math.max(column, 0), textLength);
}

/** offset → 0-based (line, column). */
export function positionAt(starts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, column: offset - starts[lo]! };
}

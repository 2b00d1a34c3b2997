/**
 * Where a node came from. Graph text shows it as a trailing comment, ` # /path/file.py:31:0`
 * (line 1-based, column 0-based, as PyTorch prints them). A frontend that has the source text
 * may attach it, so errors can quote the line with a caret (TorchScript's ErrorReport).
 */
export interface SourceRange {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** The source text and the [start, end) offsets of the range in it, where known. */
  readonly source?: { readonly text: string; readonly start: number; readonly end: number };
}

export function sourceRange(file: string, line: number, col: number): SourceRange {
  return { file, line, col };
}

/** `file:line:col`, as the graph printer writes it after ` # `. */
export function formatSourceRange(r: SourceRange): string {
  return `${r.file}:${r.line}:${r.col}`;
}

/** Reads `file:line:col` (the file may itself contain colons). */
export function parseSourceRange(text: string): SourceRange | null {
  const m = /^(.*):(\d+):(\d+)$/.exec(text.trim());
  return m ? { file: m[1]!, line: Number(m[2]), col: Number(m[3]) } : null;
}

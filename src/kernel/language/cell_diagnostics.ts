// TypeScript's diagnostics in a cell's own coordinates.

import type ts from "typescript";
import { GENERATED_NAME } from "./cell_program.js";
import { typescript } from "./typescript.js";

/** A problem in a cell. `line` and `column` are 1-based, in the cell's text as the user typed it. */
export interface CellDiagnostic {
  line: number;
  column: number;
  /** The whole message chain, one line per level. */
  message: string;
  category: "error" | "warning";
  /** TypeScript's code (e.g. 2322), or tsjit's own (99100–99199, see tensor_truthiness.ts). */
  code: number;
}

/** Where the cell sits in the file the diagnostics are about. */
export interface CellSpan {
  /** The cell alone, parsed: gives line and column of a cell position. */
  cell: ts.SourceFile;
  offset: number;
  length: number;
}

/**
 * The cell's share of `diagnostics`: those in the header or trailer (Note [how later cells see
 * a name]) belong to generated text and are dropped; so are suggestions and messages.
 */
export function cellDiagnostics(diagnostics: readonly ts.Diagnostic[], span: CellSpan): CellDiagnostic[] {
  const ts = typescript();
  const out: CellDiagnostic[] = [];
  for (const d of diagnostics) {
    if (d.start === undefined) continue;
    const category = d.category === ts.DiagnosticCategory.Error ? "error" : d.category === ts.DiagnosticCategory.Warning ? "warning" : undefined;
    if (category === undefined) continue;
    const position = d.start - span.offset;
    if (position < 0 || position > span.length) continue;
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n").replace(GENERATED_NAME, "");
    out.push({ ...lineAndColumn(span.cell, position), message, category, code: d.code });
  }
  return out;
}

export function lineAndColumn(cell: ts.SourceFile, position: number): { line: number; column: number } {
  const { line, character } = cell.getLineAndCharacterOfPosition(position);
  return { line: line + 1, column: character + 1 };
}

/** Diagnostics sorted as they read: by line, then column. */
export function byPosition(a: CellDiagnostic, b: CellDiagnostic): number {
  return a.line - b.line || a.column - b.column;
}

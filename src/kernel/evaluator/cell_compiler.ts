// A cell, compiled: transform (cell_transform.ts, which erases types where it can: Note
// [erasing instead of emitting] in type_erasure.ts), TypeScript's emit when types remain (ts_emit.ts), a vm.Script, and the way from a position in that script back to the cell.

import { SourceMap } from "node:module";
import vm from "node:vm";
import { transformCell, type CellSyntaxError, type DeclaredSource } from "./cell_transform.js";
import { lineStarts, offsetAt, positionAt, type EditedText } from "./text_edits.js";
import { emitTypeScript } from "./ts_emit.js";

/** 1-based line and column. */
export interface CellPosition {
  line: number;
  column: number;
}

export interface CompiledCell {
  /** Unique per compilation; names the script (`tsjit-cell-<id>.js`) and its registrations. */
  readonly id: number;
  /** The cell's text as compiled (after magics). */
  readonly code: string;
  readonly script: vm.Script;
  readonly isAsync: boolean;
  readonly hasResult: boolean;
  readonly sources: readonly DeclaredSource[];
  /** A position in the script (1-based, as V8 reports it) → the cell. */
  toCell(line: number, column: number): CellPosition;
  /** Whether a frame on this script line is the script calling the cell's function (the last line). */
  isWrapperCall(line: number): boolean;
}

export type CompileOutcome = { ok: true; cell: CompiledCell } | { ok: false; errors: CellSyntaxError[] };

const SCRIPT_PREFIX = "tsjit-cell-";

export function scriptName(id: number): string {
  return `${SCRIPT_PREFIX}${id}.js`;
}

/** The compilation id of a script name, or undefined for any other file. */
export function cellIdOf(fileName: string): number | undefined {
  if (!fileName.startsWith(SCRIPT_PREFIX) || !fileName.endsWith(".js")) return undefined;
  const id = Number(fileName.slice(SCRIPT_PREFIX.length, -3));
  return Number.isInteger(id) ? id : undefined;
}

type PositionMap = (line: number, column: number) => CellPosition;

/** Maps the edited text's 0-based (line, column) through the edits back to the cell. */
function editedToCell(edited: EditedText, code: string): (line: number, column: number) => CellPosition {
  const editedStarts = lineStarts(edited.text);
  const cellStarts = lineStarts(code);
  return (line, column) => {
    const original = edited.toOriginal(offsetAt(editedStarts, line, column, edited.text.length));
    const { line: l, column: c } = positionAt(cellStarts, original);
    return { line: l + 1, column: c + 1 };
  };
}

function viaEmit(edited: EditedText, code: string): { js: string; toCell: PositionMap } {
  const { js, map } = emitTypeScript(edited.text);
  const back = editedToCell(edited, code);
  let sourceMap: SourceMap | undefined; // parsed when an error first needs it
  return {
    js,
    toCell: (line, column) => {
      sourceMap ??= new SourceMap(JSON.parse(map) as ConstructorParameters<typeof SourceMap>[0]);
      const entry = sourceMap.findEntry(line - 1, column - 1) as Partial<{ originalLine: number; originalColumn: number }>;
      return back(entry.originalLine ?? 0, entry.originalColumn ?? 0);
    },
  };
}

function directly(edited: EditedText, code: string): { js: string; toCell: PositionMap } {
  const back = editedToCell(edited, code);
  return { js: edited.text, toCell: (line, column) => back(line - 1, column - 1) };
}

/** V8's SyntaxError from compiling a script says `file:line`, then the line, then a caret. */
function v8SyntaxErrorAt(e: SyntaxError, toCell: PositionMap): CellSyntaxError {
  const lines = (e.stack ?? "").split("\n");
  const line = Number(/:(\d+)$/.exec(lines[0] ?? "")?.[1] ?? 1);
  const caret = (lines[2] ?? "").indexOf("^");
  const at = toCell(line, caret < 0 ? 1 : caret + 1);
  return { ...at, message: e.message };
}

/** Compiles `code` as compilation `id`. */
export function compileCell(code: string, id: number): CompileOutcome {
  const transformed = transformCell(code, id);
  if (!transformed.ok) return transformed;
  const cell = transformed.cell;
  const filename = scriptName(id);
  let compiled = cell.needsEmit ? viaEmit(cell.edited, code) : directly(cell.edited, code);
  let script: vm.Script;
  try {
    script = new vm.Script(compiled.js, { filename });
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    if (cell.needsEmit) return { ok: false, errors: [v8SyntaxErrorAt(e, compiled.toCell)] };
    // TypeScript-only syntax the transform did not recognise or erase: the emit erases it.
    compiled = viaEmit(cell.typed, code);
    try {
      script = new vm.Script(compiled.js, { filename });
    } catch (again) {
      if (again instanceof SyntaxError) return { ok: false, errors: [v8SyntaxErrorAt(again, compiled.toCell)] };
      throw again;
    }
  }
  const lastLine = compiled.js.trimEnd().split("\n").length;
  return {
    ok: true,
    cell: {
      id,
      code,
      script,
      isAsync: cell.isAsync,
      hasResult: cell.hasResult,
      sources: cell.sources,
      toCell: compiled.toCell,
      isWrapperCall: (line) => line === lastLine,
    },
  };
}

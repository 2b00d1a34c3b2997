// Errors as Jupyter shows them: `ename`, `evalue`, and a traceback whose frames point at cell
// lines of the TypeScript, IPython's way of naming cells (`Cell In[3], line 2`), with the
// kernel's own frames removed.
//
// A cell runs as script `tsjit-cell-<id>.js`; V8's stack gives positions in the compiled
// JavaScript, which the cell's map (cell_compiler.ts) turns back into cell positions. Frames
// below the outermost cell frame are the kernel calling the cell; frames of the evaluator's
// runtime helpers and of Node's internals are noise. Both go.

import path from "node:path";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { cellIdOf, type CellPosition, type CompiledCell } from "./cell_compiler.js";
import type { CellSyntaxError } from "./cell_transform.js";

export interface ErrorReport {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** A compiled cell, the execution count it ran under (`In [n]`), and the cell as typed. */
export interface RanCell {
  cell: CompiledCell;
  count: number;
  /** The cell before magics were rewritten (same lines): what the context lines show. */
  typed: string;
}

export type CellLookup = (id: number) => RanCell | undefined;

/** src/kernel (or dist/kernel): the evaluator, magics, display, protocol. */
const KERNEL_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url))) + path.sep;

export function cellLabel(count: number): string {
  return `<cell ${count}>`;
}

/** The cell's lines around `line`, IPython style (`----> 2 foo()`). */
export function cellContext(code: string, count: number, at: CellPosition, functionName?: string): string[] {
  const lines = code.split("\n");
  const header = `Cell In[${count}], line ${at.line}${functionName ? `, in ${functionName}` : ""}`;
  const first = Math.max(1, at.line - 2);
  const last = Math.min(lines.length, at.line + 1);
  const width = String(last).length;
  const shown: string[] = [];
  for (let n = first; n <= last; n++) {
    const arrow = n === at.line ? "---->" : "     ";
    shown.push(`${arrow} ${String(n).padStart(width)} ${lines[n - 1] ?? ""}`);
  }
  return [header, ...shown];
}

interface Frame {
  /** `f`, `new A`, `async f`, or empty for the cell's own body. */
  name: string;
  file: string;
  line: number;
  column: number;
  /** The frame line as V8 wrote it (for frames we do not rewrite). */
  raw: string;
}

const FRAME = /^\s*at (?:(.*?) \((.*):(\d+):(\d+)\)|(.*):(\d+):(\d+))$/;

function parseFrame(raw: string): Frame | { raw: string } {
  const m = FRAME.exec(raw);
  if (m === null) return { raw: raw.trimEnd() };
  if (m[2] !== undefined) return { name: m[1] ?? "", file: m[2], line: Number(m[3]), column: Number(m[4]), raw };
  let file = m[5]!;
  let name = "";
  if (file.startsWith("async ")) {
    name = "async";
    file = file.slice(6);
  }
  return { name, file, line: Number(m[6]), column: Number(m[7]), raw };
}

function isKernelInternal(frame: Frame | { raw: string }): boolean {
  if (!("file" in frame)) return frame.raw.includes("node:internal");
  if (frame.file.startsWith("node:")) return true;
  const file = frame.file.startsWith("file://") ? fileURLToPath(frame.file) : frame.file;
  return file.startsWith(KERNEL_DIR);
}

/** The frames of `stack` (V8's format), rewritten to cell positions, kernel frames removed. */
function cellFrames(stack: string, lookup: CellLookup): { lines: string[]; innermost?: { ran: RanCell; at: CellPosition; name: string } } {
  const frames = stack
    .split("\n")
    .filter((l) => /^\s+at /.test(l))
    .map(parseFrame);
  const cellOf = (f: Frame | { raw: string }) => ("file" in f ? cellIdOf(f.file) : undefined);
  let lastCell = -1;
  frames.forEach((f, i) => (cellOf(f) !== undefined ? (lastCell = i) : undefined));
  const kept = lastCell >= 0 ? frames.slice(0, lastCell + 1) : frames;
  const lines: string[] = [];
  let innermost: { ran: RanCell; at: CellPosition; name: string } | undefined;
  for (const f of kept) {
    if (isKernelInternal(f)) continue;
    const id = cellOf(f);
    const ran = id === undefined ? undefined : lookup(id);
    if (ran === undefined || !("file" in f)) {
      lines.push(f.raw.replace(/^\s*/, "    "));
      continue;
    }
    if (ran.cell.isWrapperCall(f.line)) continue; // the script calling the cell's function
    const at = ran.cell.toCell(f.line, f.column);
    const where = `${cellLabel(ran.count)}:${at.line}:${at.column}`;
    lines.push(f.name === "" || f.name === "async" ? `    at ${f.name ? "async " : ""}${where}` : `    at ${f.name} (${where})`);
    innermost ??= { ran, at, name: f.name.replace(/^async /, "") };
  }
  return { lines, innermost };
}

/** ename/evalue of anything thrown; a non-Error is named "Uncaught" and shown with inspect. */
export function describeThrown(e: unknown): { ename: string; evalue: string } {
  if (e instanceof Error) return { ename: e.name, evalue: e.message };
  if (typeof e === "object" && e !== null && typeof (e as Error).name === "string" && typeof (e as Error).message === "string") {
    return { ename: (e as Error).name, evalue: (e as Error).message }; // an Error from another realm
  }
  return { ename: "Uncaught", evalue: inspect(e, { colors: false, depth: 2 }) };
}

/** The report of an error thrown by a cell (or by code a cell defined). */
export function reportError(e: unknown, lookup: CellLookup): ErrorReport {
  const { ename, evalue } = describeThrown(e);
  const stack = e instanceof Error || (typeof e === "object" && e !== null && typeof (e as Error).stack === "string") ? ((e as Error).stack ?? "") : "";
  const { lines, innermost } = cellFrames(stack, lookup);
  const traceback = [`${ename}: ${evalue}`, ...lines];
  if (innermost) {
    const { ran, at, name } = innermost;
    traceback.push("", ...cellContext(ran.typed, ran.count, at, name === "" ? undefined : name));
  }
  return { ename, evalue, traceback };
}

/** A parse error: where it is, with a caret under the column. */
export function reportSyntaxError(errors: readonly CellSyntaxError[], code: string, count: number): ErrorReport {
  const first = errors[0] ?? { line: 1, column: 1, message: "invalid syntax" };
  const lines = code.split("\n");
  const traceback = [
    `SyntaxError: ${first.message}`,
    `    at ${cellLabel(count)}:${first.line}:${first.column}`,
    "",
    `Cell In[${count}], line ${first.line}`,
    `    ${lines[first.line - 1] ?? ""}`,
    `    ${" ".repeat(Math.max(0, first.column - 1))}^`,
  ];
  return { ename: "SyntaxError", evalue: `${first.message} (${first.line}:${first.column})`, traceback };
}

/** Type errors that stop a cell (type checking in "error" mode). */
export function reportTypeErrors(diagnostics: readonly CellSyntaxError[], code: string, count: number): ErrorReport {
  const first = diagnostics[0] ?? { line: 1, column: 1, message: "type error" };
  const traceback = [`TSError: ${first.message}`];
  for (const d of diagnostics) traceback.push(`    at ${cellLabel(count)}:${d.line}:${d.column}: ${d.message}`);
  traceback.push("", ...cellContext(code, count, first));
  return { ename: "TSError", evalue: `${first.message} (${first.line}:${first.column})`, traceback };
}

export function reportInterrupt(): ErrorReport {
  return { ename: "KeyboardInterrupt", evalue: "", traceback: ["KeyboardInterrupt"] };
}

/**
 * ScriptError: what the script compiler raises for code outside the subset or ill-typed code.
 * Like TorchScript's ErrorReport it says what went wrong and shows where: the file (or cell),
 * line and column, the source line and a caret under the offending text.
 *
 *   Closures are not supported in TorchScript:
 *     File "<cell 3>", line 4, column 15
 *       const f = (y) => y + 1;
 *                 ~~~~~~~~~~~~ <--- HERE
 */
import type TS from "typescript";
import { lazyTypescript as ts } from "../../util/typescript.js";
import { ScriptError } from "./script_error.js";
import type { SourceText } from "./source.js";

// ScriptError lives in its own file so public typings can name it without importing TypeScript's
export { ScriptError } from "./script_error.js";

/** The 1-based position of `node` in the user's file, and the caret excerpt under it. */
export function locate(src: SourceText, node: TS.Node): { line: number; column: number; excerpt: string } {
  const sf = src.sourceFile;
  const start = node.getStart(sf);
  const end = Math.max(node.getEnd(), start + 1);
  const { line, character } = sf.getLineAndCharacterOfPosition(start);
  const lineStart = sf.getPositionOfLineAndCharacter(line, 0);
  const lines = sf.text.split("\n");
  const text = (lines[line] ?? "").replace(/\r$/, "");
  const width = Math.max(1, Math.min(end, lineStart + text.length) - start);
  const excerpt = `    ${text}\n    ${" ".repeat(character)}${"~".repeat(width)} <--- HERE`;
  // the parsed text starts at (src.line, src.column) of the file
  const fileLine = src.line + line;
  const fileColumn = line === 0 ? src.column + character : character + 1;
  return { line: fileLine, column: fileColumn, excerpt };
}

export function scriptError(src: SourceText, node: TS.Node, what: string): ScriptError {
  const { line, column, excerpt } = locate(src, node);
  return new ScriptError(what, src.file, line, column, excerpt);
}

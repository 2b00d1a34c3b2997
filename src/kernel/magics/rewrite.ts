/**
 * rewriteMagics: a cell with IPython-style magics → TypeScript calling `__tsjit_magics`.
 *
 * Note [magic recognition]: a magic is
 *   - `%%name args` on the cell's first non-blank line (a cell magic: the rest is its body);
 *   - `%name args` at the start of a line (after indentation);
 *   - `%name args` right after an assignment's `=`: `const t = %trace cell(x, h)`;
 *   - `!command` at the start of a line (a shell command), unless what follows the `!` reads
 *     as JavaScript negation (`!function`, `!(`, `!!`, `!x.y`, `!f(`).
 * Only lines that start a statement count (LineScanner): lines inside template strings,
 * comments, parentheses or brackets, or continuing an expression (`a &&` / `!b`), are left
 * alone. `a % b`, `x %= 2` and `% b` on a continuation line are never magics (a magic's `%` is
 * followed directly by a name, and starts the line or follows `= `). One line in, one line out;
 * a cell magic may add one closing line after its body.
 */
import { LineScanner } from "./scanner.js";
import {
  CELL_MAGIC_BY_NAME, LINE_MAGIC_BY_NAME, failWith, unknownCellMagic, unknownLineMagic,
  type LineLowering,
} from "./table.js";
import { RUNTIME, lit } from "./lowering.js";

const CELL_MAGIC = /^(\s*)%%([A-Za-z_]\w*)(.*)$/;
const LINE_MAGIC = /^(\s*)%([A-Za-z_]\w*)(.*)$/;
/** `const t = %name`, `let t: T = %name`, `t = %name`, `obj.field = %name`. */
const ASSIGNED_MAGIC = /^(\s*)((?:(?:const|let|var)\s+[A-Za-z_$][\w$]*(?:\s*:[^=]+?)?|[A-Za-z_$][\w$.]*)\s*=\s*)%([A-Za-z_]\w*)(.*)$/;
const SHELL = /^(\s*)!(.*)$/;
/** What after `!` is JavaScript, not a command (Note [magic recognition]). */
const NEGATION = /^(?:\s|!|\(|function\b|async\b|new\b|await\b|typeof\b|[A-Za-z_$][\w$]*(?:\(|\.[A-Za-z_$]|\[)|$)/;

function lowerLine(name: string, args: string, assigned: boolean): LineLowering {
  const magic = LINE_MAGIC_BY_NAME.get(name);
  if (magic === undefined) return unknownLineMagic(name);
  try {
    return magic.lower(args.trim(), assigned);
  } catch (e) {
    return failWith(e);
  }
}

/** Rewrites one line that starts in code; undefined when it holds no magic. */
function rewriteLine(line: string): string | undefined {
  const assigned = ASSIGNED_MAGIC.exec(line);
  if (assigned !== null) {
    const [, indent = "", target = "", name = "", args = ""] = assigned;
    const lowered = lowerLine(name, args, true);
    const expr = "expr" in lowered ? lowered.expr : `${RUNTIME}.fail("UsageError", ${lit(`%${name} ${args.trim()} is a statement: it has no value to assign`)})`;
    return `${indent}${target}${expr};`;
  }
  if (line.trimStart().startsWith("%%")) {
    const name = CELL_MAGIC.exec(line)?.[2] ?? "";
    return `${line.match(/^\s*/)?.[0] ?? ""}${RUNTIME}.fail("UsageError", ${lit(`Cell magic \`%%${name}\` must be on the first line of the cell.`)});`;
  }
  const magic = LINE_MAGIC.exec(line);
  if (magic !== null) {
    const [, indent = "", name = "", args = ""] = magic;
    const lowered = lowerLine(name, args, false);
    return `${indent}${"expr" in lowered ? `${lowered.expr};` : lowered.statement}`;
  }
  const shell = SHELL.exec(line);
  if (shell !== null && !NEGATION.test(shell[2] ?? "")) {
    return `${shell[1] ?? ""}await ${RUNTIME}.shell(${lit((shell[2] ?? "").trim())});`;
  }
  return undefined;
}

/** Line magics and shell commands in TypeScript lines, one line out per line in. */
function rewriteLines(lines: readonly string[]): string[] {
  const scanner = new LineScanner();
  return lines.map((line) => {
    if (scanner.atStatementStart()) {
      const rewritten = rewriteLine(line);
      // A magic line is consumed whole: its text (a shell command's quotes) is not code.
      if (rewritten !== undefined) return rewritten;
    }
    scanner.scan(line);
    return line;
  });
}

/** A cell magic on the first non-blank line: the whole cell, lowered. */
function rewriteCellMagic(lines: string[], first: number): string[] | undefined {
  const m = CELL_MAGIC.exec(lines[first] ?? "");
  if (m === null) return undefined;
  const [, indent = "", name = "", args = ""] = m;
  const body = lines.slice(first + 1);
  // A trailing empty line (the cell ended in a newline) is where the closer goes.
  const trailingBlank = body.length > 0 && (body[body.length - 1] ?? "").trim() === "";
  const verbatim = trailingBlank ? body.slice(0, -1) : body;
  const magic = CELL_MAGIC_BY_NAME.get(name);
  // A TypeScript body may use line magics too (`%%time` over `!make`), as in IPython.
  const content = magic?.bodyIsCode ? rewriteLines(verbatim) : verbatim;
  let lowered: { head: string; body: string[]; closer?: string };
  try {
    lowered = magic === undefined ? unknownCellMagic(name, content) : magic.lower(args.trim(), content);
  } catch (e) {
    const failure = failWith(e);
    lowered = unknownCellMagic(name, content);
    lowered.head = `${"expr" in failure ? failure.expr : ""}; ${lowered.head}`;
  }
  const out = [...lines.slice(0, first), indent + lowered.head, ...lowered.body];
  if (lowered.closer !== undefined) out.push(lowered.closer);
  else if (trailingBlank) out.push("");
  return out;
}

/**
 * The cell with its magics lowered to calls on `__tsjit_magics` (Note [magic recognition]).
 *
 * @example
 * rewriteMagics("%timeit f(x)").code // '__tsjit_magics.timeit("", () => (f(x)));'
 */
export function rewriteMagics(cell: string): { code: string } {
  // Fast path: most cells hold no magic at all.
  if (!/^\s*[%!]|=\s*%[A-Za-z_]/m.test(cell)) return { code: cell };
  const eol = cell.includes("\r\n") ? "\r\n" : "\n";
  const lines = cell.split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim() !== "");
  const lowered = first >= 0 ? rewriteCellMagic(lines, first) : undefined;
  if (lowered !== undefined) return { code: lowered.join(eol) };
  return { code: rewriteLines(lines).join(eol) };
}

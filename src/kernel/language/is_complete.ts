// is_complete: can the console run what was typed, or should Enter open a new line?

import type ts from "typescript";
import type { IsCompleteResult } from "../protocol/evaluator.js";
import { parseCell } from "./cell_parser.js";
import { typescript } from "./typescript.js";

/** Syntax errors that mean "not finished yet" wherever they are. */
const UNTERMINATED = new Set([
  1002, // Unterminated string literal.
  1010, // '*/' expected.
  1160, // Unterminated template literal.
  1161, // Unterminated regular expression literal.
]);

/** Cell magics whose body is TypeScript; other cell magics (`%%writefile`, `%%bash`) hold text. */
const TYPESCRIPT_BODY_CELL_MAGICS = new Set(["time", "timeit", "capture", "prun"]);

const CELL_MAGIC = /^\s*%%([A-Za-z_][\w-]*)/;
/** A line magic or shell escape, on a line of its own, or after an assignment (`const t = %trace f(x)`). */
const LINE_MAGIC = /^(?:\s*%[A-Za-z_]|!|\s*(?:(?:const|let|var)\s+)?[\w$]+\s*=\s*[%!][A-Za-z_])/;

/** Two spaces per bracket left open, as the next line's indent. */
const INDENT_UNIT = "  ";

export function isCellComplete(code: string): IsCompleteResult {
  const body = withoutMagics(code);
  if (body === undefined || body.trim() === "") return { status: "complete" };
  const { sourceFile, diagnostics } = parseCell(body);
  if (diagnostics.length === 0) return { status: "complete" };
  const end = body.trimEnd().length;
  const unfinished = diagnostics.every((d) => UNTERMINATED.has(d.code) || (d.start ?? 0) >= end);
  if (!unfinished) return { status: "invalid" };
  return { status: "incomplete", indent: INDENT_UNIT.repeat(openBrackets(sourceFile)) };
}

/**
 * The TypeScript part of a cell with magic lines blanked (line count kept), or undefined when
 * the cell's body is not TypeScript at all.
 */
function withoutMagics(code: string): string | undefined {
  const lines = code.split("\n");
  const cellMagic = CELL_MAGIC.exec(lines[0] ?? "");
  if (cellMagic) {
    if (!TYPESCRIPT_BODY_CELL_MAGICS.has(cellMagic[1] ?? "")) return undefined;
    lines[0] = "";
  }
  return lines.map((line) => (LINE_MAGIC.test(line) ? "" : line)).join("\n");
}

/** Brackets (`{ ( [` and template `${`) still open at the end of the cell. */
function openBrackets(sourceFile: ts.SourceFile): number {
  const ts = typescript();
  const scanner = ts.createScanner(ts.ScriptTarget.ESNext, false, ts.LanguageVariant.Standard, sourceFile.text);
  let depth = 0;
  const templates: number[] = [];
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    switch (token) {
      case ts.SyntaxKind.OpenBraceToken:
      case ts.SyntaxKind.OpenParenToken:
      case ts.SyntaxKind.OpenBracketToken:
        depth++;
        break;
      case ts.SyntaxKind.TemplateHead:
        templates.push(depth++);
        break;
      case ts.SyntaxKind.CloseBraceToken:
        // A `}` that closes a template's `${` continues the template.
        if (templates.length > 0 && templates[templates.length - 1] === depth - 1) {
          depth--;
          if (scanner.reScanTemplateToken(false) === ts.SyntaxKind.TemplateTail) templates.pop();
          else depth++;
        } else {
          depth = Math.max(0, depth - 1);
        }
        break;
      case ts.SyntaxKind.CloseParenToken:
      case ts.SyntaxKind.CloseBracketToken:
        depth = Math.max(0, depth - 1);
        break;
    }
  }
  return depth;
}

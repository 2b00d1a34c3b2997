// The text of a top-level class or function declaration as the source registry records it
// (source_registry.ts): from its first decorator or kept modifier (`abstract`, `async`), else
// from its `class`/`function` keyword, to its end. `export` and `default` are left out, so the
// script compiler parses a declaration that stands on its own. Used by `tsjit/register`
// (node_transpile.ts) and by the kernel's cell transform (src/kernel/evaluator/cell_transform.ts).
import type TS from "typescript";
import { lazyTypescript as ts } from "../util/typescript.js";

/** Where a declaration's registered text starts and what it is; `line`/`column` are 1-based. */
export interface DeclarationText {
  text: string;
  line: number;
  column: number;
}

function modifiersOf(node: TS.Node): readonly TS.ModifierLike[] {
  return ts.canHaveModifiers(node) ? (node.modifiers ?? []) : [];
}

/** Skips whitespace and comments from `pos`. */
function skipTrivia(text: string, pos: number): number {
  for (;;) {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
    if (text.startsWith("//", pos)) pos = text.indexOf("\n", pos) < 0 ? text.length : text.indexOf("\n", pos);
    else if (text.startsWith("/*", pos)) pos = text.indexOf("*/", pos) < 0 ? text.length : text.indexOf("*/", pos) + 2;
    else return pos;
  }
}

/** `export` and `default`; looked up on first use, as reading ts.SyntaxKind loads the compiler. */
let leftOut: ReadonlySet<TS.SyntaxKind> | undefined;
const LEFT_OUT = (): ReadonlySet<TS.SyntaxKind> => (leftOut ??= new Set([ts.SyntaxKind.ExportKeyword, ts.SyntaxKind.DefaultKeyword]));

/** The offset in `file` where the registered text of `decl` starts. */
export function declarationStart(file: TS.SourceFile, decl: TS.FunctionDeclaration | TS.ClassDeclaration): number {
  const modifiers = modifiersOf(decl);
  const kept = modifiers.find((m) => !LEFT_OUT().has(m.kind));
  if (kept !== undefined) return kept.getStart(file);
  const last = modifiers[modifiers.length - 1];
  return last === undefined ? decl.getStart(file) : skipTrivia(file.text, last.end);
}

/** The registered text of `decl` and its 1-based position in `file`. */
export function declarationText(file: TS.SourceFile, decl: TS.FunctionDeclaration | TS.ClassDeclaration): DeclarationText {
  const start = declarationStart(file, decl);
  const { line, character } = file.getLineAndCharacterOfPosition(start);
  return { text: file.text.slice(start, decl.end), line: line + 1, column: character + 1 };
}

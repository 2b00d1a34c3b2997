// Giving a check's diagnostics again when nothing it depends on has changed.
//
// Note [reusing a check]
// Every check builds a new TypeScript program, and with it a new type checker, however small the
// cell: TypeScript cannot keep a checker across programs, so each one merges the globals of all
// ~350 files (lib, @types/node, tsjit's typings, the cell slots) again and resolves anew every
// lib type the cell touches. Measured with `node --cpu-prof` on the kernel: 12-25 ms of CPU per
// check, most of a `1+1` cell's cost. A check's result depends only on
//   - the cell's text,
//   - what the committed cells carry to it (their declared names, through the header) and any
//     global or module augmentation they made,
//   - files it reaches on disk (imports, `import("m").T`, `require`, `/// <reference>`).
// The tsconfig.json and the typings are read once per session. So the diagnostics of a check
// are kept, by text, and given again until a commit could change what a cell sees: one that
// declares a name, or imports, exports, or declares a module or `global`. A cell that reaches
// the disk is never kept (a file it imports may have changed between two runs). Re-running an
// unchanged cell, which notebooks do all the time, then costs no program at all.

import type ts from "typescript";
import type { CellDiagnostic } from "./cell_diagnostics.js";
import type { CellOutline } from "./cell_outline.js";
import { typescript } from "./typescript.js";

/** Conservative: any mention of these words may reach a file (a string containing them too). */
const REACHES_DISK = /\bimport\b|\brequire\b|<reference\b/;

/** How many different cell texts are kept per state of the committed cells. */
const KEPT_TEXTS = 64;

export class CheckReuse {
  private readonly kept = new Map<string, readonly CellDiagnostic[]>();

  /** The diagnostics of an earlier check of `code` that still hold, or undefined. */
  get(code: string): CellDiagnostic[] | undefined {
    const diagnostics = this.kept.get(code);
    return diagnostics?.map((d) => ({ ...d }));
  }

  /** Keeps the outcome of checking `code`, unless the check depended on files on disk. */
  keep(code: string, diagnostics: readonly CellDiagnostic[]): void {
    if (REACHES_DISK.test(code)) return;
    if (this.kept.size >= KEPT_TEXTS) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(code, diagnostics.map((d) => ({ ...d })));
  }

  /** Forgets every kept check (the compiler options changed). */
  clear(): void {
    this.kept.clear();
  }

  /** A cell was committed: drops every kept check unless the cell changes nothing later cells see. */
  committed(cell: ts.SourceFile, outline: CellOutline): void {
    if (!isInvisibleToLaterCells(cell, outline)) this.kept.clear();
  }
}

/** Whether committing `cell` leaves every later cell's check as it was (Note [reusing a check]). */
export function isInvisibleToLaterCells(cell: ts.SourceFile, outline: CellOutline): boolean {
  if (outline.declared.size > 0 || outline.exported.size > 0) return false;
  const ts = typescript();
  // Module and global augmentations, and side-effect imports (which may bring some), are top-level only.
  return cell.statements.every(
    (s) => !ts.isImportDeclaration(s) && !ts.isImportEqualsDeclaration(s) && !ts.isExportDeclaration(s) && !ts.isExportAssignment(s) && !ts.isModuleDeclaration(s),
  );
}

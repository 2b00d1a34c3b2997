// The program cells are checked in: a chain of module files, one per cell, plus the globals
// prelude.
//
// Note [how later cells see a name]
// Cell k lives in its own ES module, `__tsjit_cell_<k>.ts` in the notebook's folder (in
// memory), so top-level `await` and `import` are legal in it and its names never clash with
// another cell's. It ends with `export { a, b };` (on a line of its own) for what it declares.
// Scope files re-export every committed cell's names under names pinned to that cell,
// `__tsjit_c<k>_<name>` (`__tsjit_scope_<block>.ts`, one line per cell of a block):
//   export { Net as __tsjit_c3_Net, model as __tsjit_c3_model } from "./__tsjit_cell_3";
// A cell gets the names it uses through a header line before its text (diagnostics and
// positions are mapped back by offset), which imports each name from the newest cell that
// declared it:
//   import { __tsjit_c3_Net as Net } from "./__tsjit_scope_0";
// Variables are re-declared from the original's type instead, so that assigning to an earlier
// `let` is checked against its type and narrows as in one file (an import is read-only):
//   import { __tsjit_c2_n as __tsjit_prev_n } from "./__tsjit_scope_0"; declare let n: typeof __tsjit_prev_n;
// So redeclaring a name in a later cell replaces it for every cell after that, with no
// "Cannot redeclare", while a committed cell still sees the declaration it was written against
// (an instance made from an old class keeps the old class's type, as it does at run time).
//
// Note [stable imports]
// The language service reuses its program (files, bindings, module resolution) completely when
// only file texts change, but walks the whole file graph again (about twice the cost of a
// check) when any file's list of import specifiers, or the list of root files, changes. So
// cell files and scope files are made a block ahead of use: each cell file starts as a header
// with empty imports from every scope file of its block and before (`import {} from ...`), each
// scope line as `export {} from "./__tsjit_cell_<k>";`. Checking a cell then changes only the
// text of its file, and committing it only the text of one line of a scope file; the user's own
// `import`s and a new block (every SLOT_BLOCK cells) are the only walks. (A chain in which each
// cell does `export * from` its predecessor would also be stable, but TypeScript resolves a
// chain of star exports in time quadratic in its length.)

import { dirname, join } from "node:path";
import type ts from "typescript";
import type { CarriedKind, CellOutline, DeclarationNoun } from "./cell_outline.js";
import { COMMS_SPECIFIER, DISPLAY_SPECIFIER, globalsPrelude } from "./globals_prelude.js";
import { typescript } from "./typescript.js";
import type { TsjitTypings } from "./package_paths.js";
import { VirtualHost } from "./virtual_host.js";

/** The text given to the language service for one cell, and where the cell sits in it. */
export interface CellSource {
  fileName: string;
  text: string;
  /** Characters before the cell's own text (the header). */
  offset: number;
  /** Length of the cell's own text. */
  length: number;
}

/**
 * How a cell is put in its file. A check brings in the earlier names the cell mentions and
 * appends the export trailer; editing requests (completion, inspect) leave the trailer out (an
 * unfinished cell would read it as part of what is being typed), and completion of a name being
 * typed also brings in every earlier name that starts with what was typed (`namePrefix`; ""
 * for all of them).
 */
export type Preparation = { purpose: "check" } | { purpose: "edit"; namePrefix?: string };

const SLOT_BLOCK = 64;
const CELL_SPECIFIER = /^\.\/__tsjit_(cell|scope)_(\d+)$/;
/** The header's generated names, hidden from completions and messages. */
export const GENERATED_NAME = /__tsjit_(prev|c\d+)_/g;

export class CellProgram {
  readonly service: ts.LanguageService;
  readonly preludeFile: string;
  private readonly files: VirtualHost;
  /** Each live name: the newest committed cell that declared it, and how it is carried. */
  private readonly live = new Map<string, { cell: number; kind: CarriedKind; noun: DeclarationNoun | undefined }>();
  /** Per cell, its line of its block's scope file. */
  private readonly scopeLines: string[] = [];
  private committedCount = 0;

  constructor(
    private readonly cwd: string,
    options: ts.CompilerOptions,
    typings: TsjitTypings,
  ) {
    const ts = typescript();
    const tsjitTypings = typings.index;
    this.preludeFile = join(cwd, "__tsjit_globals.d.ts");
    this.files = new VirtualHost(cwd, options, [dirname(tsjitTypings)], (specifier) => {
      if (specifier === "tsjit") return tsjitTypings;
      if (specifier === DISPLAY_SPECIFIER) return typings.display?.api;
      if (specifier === COMMS_SPECIFIER) return typings.display?.comms;
      const match = CELL_SPECIFIER.exec(specifier);
      if (!match) return undefined;
      return match[1] === "cell" ? this.cellFileName(Number(match[2])) : this.scopeFileName(Number(match[2]));
    });
    this.files.setFile(this.preludeFile, globalsPrelude(typings.display !== undefined));
    this.addBlock();
    this.service = ts.createLanguageService(this.files.host, ts.createDocumentRegistry());
  }

  /** Checks later cells with `options` instead (Note [node typings on demand] in node_typings.ts). */
  setCompilerOptions(options: ts.CompilerOptions): void {
    this.files.setOptions(options);
  }

  /** Puts `code` in the file of the cell at hand, with its header (and trailer, for a check). */
  prepare(code: string, outline: CellOutline, how: Preparation): CellSource {
    const cell = this.committedCount;
    const header = this.header(cell, outline, how.purpose === "edit" ? how.namePrefix : undefined);
    // After a line break, so that a final `// comment` cannot swallow it.
    const trailer = how.purpose === "check" ? `\n${exportTrailer(outline)}` : "";
    const source: CellSource = { fileName: this.cellFileName(cell), text: header + code + trailer, offset: header.length, length: code.length };
    this.files.setFile(source.fileName, source.text);
    return source;
  }

  /** The cell ran: its file is final and its declarations replace earlier ones for later cells. */
  commit(code: string, outline: CellOutline): void {
    this.prepare(code, outline, { purpose: "check" });
    const cell = this.committedCount++;
    const names = [...outline.declared.keys()];
    this.scopeLines[cell] = `export { ${names.map((n) => `${n} as __tsjit_c${cell}_${n}`).join(", ")} } from "./__tsjit_cell_${cell}";`;
    this.writeScope(blockOf(cell));
    for (const [name, kind] of outline.declared) this.live.set(name, { cell, kind, noun: outline.nouns.get(name) });
    if (this.committedCount === this.scopeLines.length) this.addBlock();
  }

  get committedCells(): number {
    return this.committedCount;
  }

  /** What an earlier cell declared `name` as, for names that reach a cell as imports. */
  nounOf(name: string): DeclarationNoun | undefined {
    return this.live.get(name)?.noun;
  }

  /** The next block of cell files and its scope file (Note [stable imports]). */
  private addBlock(): void {
    const first = this.scopeLines.length;
    for (let cell = first; cell < first + SLOT_BLOCK; cell++) {
      this.scopeLines.push(`export {} from "./__tsjit_cell_${cell}";`);
      this.files.setFile(this.cellFileName(cell), this.header(cell, EMPTY_OUTLINE, undefined) + "export {};");
    }
    this.writeScope(blockOf(first));
  }

  private writeScope(block: number): void {
    const lines = this.scopeLines.slice(block * SLOT_BLOCK, (block + 1) * SLOT_BLOCK);
    this.files.setFile(this.scopeFileName(block), lines.join("\n"));
  }

  private cellFileName(cell: number): string {
    return join(this.cwd, `__tsjit_cell_${cell}.ts`);
  }

  private scopeFileName(block: number): string {
    return join(this.cwd, `__tsjit_scope_${block}.ts`);
  }

  /**
   * One import per scope file up to the cell's own block, then the re-declared variables: the
   * earlier names the cell mentions, and those starting with `namePrefix`.
   */
  private header(cell: number, outline: CellOutline, namePrefix: string | undefined): string {
    const specifiers: string[][] = Array.from({ length: blockOf(cell) + 1 }, () => []);
    const redeclared: string[] = [];
    const wanted = new Set(outline.referenced);
    if (namePrefix !== undefined) {
      const prefix = namePrefix.toLowerCase();
      for (const name of this.live.keys()) if (name.slice(0, prefix.length).toLowerCase() === prefix) wanted.add(name);
    }
    for (const name of wanted) {
      const entry = this.live.get(name);
      if (entry === undefined || outline.declared.has(name)) continue;
      const pinned = `__tsjit_c${entry.cell}_${name}`;
      if (entry.kind === "alias") {
        specifiers[blockOf(entry.cell)]?.push(`${pinned} as ${name}`);
      } else {
        specifiers[blockOf(entry.cell)]?.push(`${pinned} as __tsjit_prev_${name}`);
        redeclared.push(`declare ${entry.kind} ${name}: typeof __tsjit_prev_${name};`);
      }
    }
    const imports = specifiers.map((names, block) => `import { ${names.join(", ")} } from "./__tsjit_scope_${block}";`);
    // The line break keeps a JSDoc comment on the cell's first line a leading comment of its
    // declaration (a comment on the line of the previous token would be a trailing one).
    return imports.join("") + redeclared.join("") + "\n";
  }
}

const EMPTY_OUTLINE: CellOutline = { declared: new Map(), exported: new Set(), referenced: new Set(), nouns: new Map() };

function blockOf(cell: number): number {
  return Math.floor(cell / SLOT_BLOCK);
}

function exportTrailer(outline: CellOutline): string {
  const names = [...outline.declared.keys()].filter((n) => !outline.exported.has(n));
  return names.length === 0 ? "" : `export { ${names.join(", ")} };`;
}
